package dev.portcullis;

import dev.portcullis.admin.AdminServer;
import dev.portcullis.console.Console;
import dev.portcullis.assertion.MasterKeyFile;
import dev.portcullis.assertion.SigningKeys;
import dev.portcullis.assertion.UpstreamIdentity;
import dev.portcullis.config.MasterKey;
import dev.portcullis.store.SigningKeyRepository;
import dev.portcullis.admin.AdminToken;
import dev.portcullis.config.ConfigException;
import dev.portcullis.config.OidcSettings;
import dev.portcullis.config.Settings;
import dev.portcullis.demo.HelloApp;
import dev.portcullis.directory.Directory;
import dev.portcullis.gateway.Gateway;
import dev.portcullis.gateway.LiveConnections;
import dev.portcullis.gateway.GatewayMetrics;
import dev.portcullis.gateway.GatewayServer;
import dev.portcullis.gateway.LoopLocalHttpClient;
import dev.portcullis.service.Ingress;
import dev.portcullis.service.Service;
import dev.portcullis.service.ServiceRegistry;
import dev.portcullis.service.Timeouts;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditMetrics;
import dev.portcullis.audit.AuditRetention;
import dev.portcullis.audit.LineSinks;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.AuditStore;
import dev.portcullis.audit.StoreCopier;
import dev.portcullis.store.ChangeFeed;
import dev.portcullis.store.Database;
import dev.portcullis.store.StoreUrl;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import dev.portcullis.store.MetaRepository;
import dev.portcullis.store.ServiceRepository;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.portcullis.authn.DisabledUsers;
import dev.portcullis.authn.SignInRequests;
import dev.portcullis.authn.SignInHost;
import dev.portcullis.authn.local.LocalAccounts;
import dev.portcullis.authn.oidc.OidcProviderConfig;
import dev.portcullis.authn.oidc.OidcProviders;
import dev.portcullis.authn.oidc.Secret;
import dev.portcullis.authn.local.LoginThrottle;
import dev.portcullis.authn.local.PasswordHasher;
import dev.portcullis.gateway.IapGate;
import dev.portcullis.iam.Authorizer;
import dev.portcullis.iam.Iam;
import dev.portcullis.iam.Policy;
import dev.portcullis.iam.PredefinedRoles;
import dev.portcullis.iam.ResourceName;
import dev.portcullis.store.IamRepository;
import dev.portcullis.iam.condition.AccessLevels;
import dev.portcullis.store.AccessLevelRepository;
import dev.portcullis.session.Handoffs;
import dev.portcullis.session.Sessions;
import dev.portcullis.store.SessionRepository;
import dev.portcullis.store.SignInStateRepository;
import dev.portcullis.store.GroupRepository;
import dev.portcullis.store.ServiceAccountRepository;
import dev.portcullis.store.UserRepository;
import java.security.SecureRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import dev.portcullis.authn.workload.BearerException;
import dev.portcullis.authn.workload.ServiceAccountKeys;
import dev.portcullis.authn.workload.WorkloadAuthenticator;
import dev.portcullis.session.Tokens;
import dev.portcullis.store.ServiceAccountKeyRepository;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Executor;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running Portcullis: the one place where the parts are built and connected, started and stopped. */
public final class Portcullis implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Portcullis.class);
  static final String DEMO_SERVICE = "hello";
  private static final String DEMO_UPSTREAM_KEY = "demo.upstream";
  private static final String SIGN_IN_KEY = "signin.request_key";
  private static final Duration PURGE_EVERY = Duration.ofHours(1);
  private static final Duration STALE_RETRY_EVERY = Duration.ofSeconds(2);
  /** The first audit retention run, once the copier has replayed what a crash left out of the store. */
  private static final Duration AUDIT_RETENTION_FIRST = Duration.ofSeconds(30);
  private static final Duration KEY_REFRESH_EVERY = Duration.ofSeconds(30);
  public static final String API_HOST = SignInHost.API_HOST;

  private final Settings settings;
  private final Database database;
  private final Vertx vertx;
  private final HttpClient upstreamClient;
  private final GatewayServer gatewayServer;
  private final AdminServer adminServer;
  private final HelloApp hello;
  private final ServiceRegistry registry;
  private final int gatewayPort;
  private final int adminPort;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Optional<String> bootstrapPassword;
  private final Sessions sessions;
  private final Optional<LocalAccounts> accounts;
  private final UserRepository users;
  private final AccessLevels accessLevels;
  private final Directory directory;
  private final SigningKeys signingKeys;
  private final AuditLog auditLog;
  private final StoreCopier auditCopier;
  private final LineSinks auditSinks;
  private final Optional<ChangeFeed> changeFeed;

  private Portcullis(Settings settings, Database database, Vertx vertx, HttpClient upstreamClient,
      GatewayServer gatewayServer, AdminServer adminServer, HelloApp hello, ServiceRegistry registry,
      int gatewayPort, int adminPort, Optional<String> bootstrapPassword, Sessions sessions,
      Optional<LocalAccounts> accounts, UserRepository users, AccessLevels accessLevels, Directory directory,
      SigningKeys signingKeys, AuditLog auditLog, StoreCopier auditCopier, LineSinks auditSinks,
      Optional<ChangeFeed> changeFeed) {
    this.auditSinks = auditSinks;
    this.changeFeed = changeFeed;
    this.auditLog = auditLog;
    this.auditCopier = auditCopier;
    this.signingKeys = signingKeys;
    this.settings = settings;
    this.database = database;
    this.vertx = vertx;
    this.upstreamClient = upstreamClient;
    this.gatewayServer = gatewayServer;
    this.adminServer = adminServer;
    this.hello = hello;
    this.registry = registry;
    this.gatewayPort = gatewayPort;
    this.adminPort = adminPort;
    this.bootstrapPassword = bootstrapPassword;
    this.sessions = sessions;
    this.accounts = accounts;
    this.users = users;
    this.accessLevels = accessLevels;
    this.directory = directory;
  }

  /** Drops audit events older than the cutoff from the store and from this replica's files. */
  static void purgeAudit(StoreCopier copier, AuditLog auditLog, Instant cutoff) {
    try {
      Map<String, Long> purged = copier.store().purgeBefore(cutoff);
      // Files lose only what the store has already let go of: its blocks may point into them.
      long files = AuditRetention.purgeFiles(auditLog.directory(), auditLog.replica(), cutoff,
          copier.store().anchor(auditLog.replica()).seq());
      if (!purged.isEmpty() || files > 0) {
        log.info("audit retention: purged events before {} from the store {} and {} from this replica's files",
            cutoff, purged, files);
      }
    } catch (IOException | RuntimeException e) {
      log.error("audit retention failed; will try again in an hour", e);
    }
  }

  public static Portcullis start(Settings settings) throws IOException {
    Files.createDirectories(settings.dataDir());
    StoreUrl storeUrl;
    try {
      storeUrl = StoreUrl.parse(settings.storeUrl(), settings.dataDir());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("store.url", e.getMessage());
    }
    Database database = Database.open(storeUrl);
    ChangeFeed changeFeed = null;
    Vertx vertx = null;
    // The audit file first: what a crash left out of the store is replayed into it by the copier.
    StoreCopier auditCopier = new StoreCopier(new AuditStore(database,
        dev.portcullis.audit.AuditFiles.directory(settings.dataDir())));
    LineSinks auditSinks = new LineSinks(settings.audit().file(),
        settings.audit().stdout() ? Optional.of(System.out) : Optional.empty());
    AuditLog auditLog;
    try {
      auditLog = StoreCopier.openLog(settings.dataDir(), AuditLog.Options.DEFAULTS, auditCopier, auditSinks);
    } catch (IOException | RuntimeException e) {
      auditSinks.close();
      database.close();
      throw e;
    }
    try {
      AdminToken token = AdminToken.loadOrCreate(settings.dataDir());
      ServiceRepository services = new ServiceRepository(database, Clock.systemUTC());
      ServiceRegistry registry = new ServiceRegistry(services, settings.domain());
      AccessLevels accessLevels = new AccessLevels(new AccessLevelRepository(database, Clock.systemUTC()));
      // Netty's native epoll transport when its library is there (Linux x86-64): fewer copies and
      // system calls per exchange than NIO. Vert.x falls back to NIO by itself elsewhere.
      vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
      PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      new JvmMemoryMetrics().bindTo(meters);
      new JvmGcMetrics().bindTo(meters);
      new JvmThreadMetrics().bindTo(meters);
      new ProcessorMetrics().bindTo(meters);
      new UptimeMetrics().bindTo(meters);
      // One pool per event loop (see LoopLocalHttpClient); the connection budget is shared among them.
      int eventLoops = Math.max(1, Runtime.getRuntime().availableProcessors());
      int poolSize = Math.max(1, (settings.upstreamMaxConnections() + eventLoops - 1) / eventLoops);
      Vertx v = vertx;
      HttpClient client = new LoopLocalHttpClient(() -> v.httpClientBuilder()
          .with(new HttpClientOptions()
              .setProtocolVersion(HttpVersion.HTTP_1_1)
              .setKeepAlive(true)
              .setKeepAliveTimeout(60)
              .setDecompressionSupported(false)
              .setMaxHeaderSize(32 * 1024)
              .setVerifyHost(true)
              .setForceSni(true)
              .setTcpNoDelay(true)
              .setName("portcullis-upstream"))
          .with(new PoolOptions().setHttp1MaxSize(poolSize).setMaxWaitQueueSize(-1))
          .build());

      HelloApp hello = null;
      if (settings.demoEnabled()) {
        hello = new HelloApp(vertx);
        int demoPort = await(hello.start());
        ensureDemoService(registry, new MetaRepository(database), URI.create("http://127.0.0.1:" + demoPort));
      }

      Vertx loops = vertx;
      Executor background = task -> loops.executeBlocking(() -> {
        task.run();
        return null;
      }, false);
      Clock clock = Clock.systemUTC();
      MetaRepository meta = new MetaRepository(database);
      UserRepository users = new UserRepository(database, clock);
      Sessions sessions = new Sessions(new SessionRepository(database), clock, settings.sessionMaxLifetime(),
          settings.sessionIdleTimeout(), background);
      SignInStateRepository signInState = new SignInStateRepository(database);
      Handoffs handoffs = new Handoffs(signInState, clock);
      SignInRequests signInRequests = new SignInRequests(secretKey(meta, SIGN_IN_KEY), clock);
      Optional<LocalAccounts> accounts = settings.localAccountsEnabled()
          ? Optional.of(new LocalAccounts(users, new PasswordHasher(),
              new LoginThrottle(5, 50, Duration.ofMinutes(15), Ticker.systemTicker()), clock))
          : Optional.empty();
      Optional<String> bootstrapPassword = accounts.flatMap(a -> bootstrapAdmin(a, users, settings.adminEmail()));
      OidcProviders providers = OidcProviders.discovering(settings.oidcProviders().stream()
          .map(Portcullis::providerConfig).toList());
      SignInHost signInHost = new SignInHost(vertx, sessions, handoffs, signInRequests, accounts, registry::catalog,
          settings.sessionMaxLifetime(), providers, signInState, users, clock, settings.authHost(),
          settings.consoleHost());
      DisabledUsers disabledUsers = new DisabledUsers(users);
      Directory directory = new Directory(new GroupRepository(database, clock),
          new ServiceAccountRepository(database, clock));
      Iam iam = new Iam(new IamRepository(database, clock), registry::catalog, directory::snapshot);
      directory.guardDeletes(iam::deleteUnlessGranted);
      // A deleted service's policy goes with it (in the same transaction): rebuild without it.
      registry.onChange(catalog -> iam.refresh());
      bootstrapPassword.ifPresent(p -> grantBootstrapAdmin(iam, settings.adminEmail()));
      Authorizer authorizer = new Authorizer(iam::snapshot, directory::snapshot, accessLevels::snapshot);
      ServiceAccountKeys keys = new ServiceAccountKeys(new ServiceAccountKeyRepository(database),
          directory::snapshot, clock);
      // A deleted account's keys go with it in the store: read them again after every directory change.
      directory.onChange(snapshot -> keys.refresh());
      WorkloadAuthenticator workloads = new WorkloadAuthenticator(keys, directory::snapshot,
          settings.trustedIssuers(), clock);
      AuditSink auditSink = settings.audit().enabled() ? new AuditMetrics(meters, auditLog) : AuditSink.NONE;
      if (!settings.audit().enabled()) {
        log.warn("audit.enabled is false: access decisions and admin changes are NOT audited");
      }
      IapGate gate = new IapGate(vertx, sessions, handoffs, signInRequests, settings.authHost(),
          settings.sessionMaxLifetime(), disabledUsers, authorizer, workloads, settings.assertion().iapIdentityPrefix(),
          auditSink, settings.audit().includeQuery());
      MasterKey masterKey = settings.assertion().masterKey().isPresent() ? settings.assertion().masterKey().get()
          : MasterKeyFile.loadOrCreate(settings.dataDir());
      SigningKeys signingKeys = SigningKeys.open(new SigningKeyRepository(database), masterKey, clock);
      UpstreamIdentity identity = new UpstreamIdentity(signingKeys, settings.assertion(), directory::snapshot, clock);

      // Open WebSockets and streams are decided again after every change that could refuse their holder.
      LiveConnections live = new LiveConnections(authorizer, registry::catalog, disabledUsers, auditSink, clock,
          sessions::revokedLately, keyId -> keys.find(keyId).isPresent());
      keys.onChange(live::recheck); // a deleted key ends the connections its JWTs opened
      iam.onChange(snapshot -> live.recheck());
      directory.onChange(snapshot -> live.recheck());
      accessLevels.onChange(snapshot -> live.recheck());
      registry.onChange(catalog -> live.recheck());
      sessions.onRevoked(hashes -> {
        live.sessionsRevoked(hashes);
        live.recheck(); // a disabled user's bearer connections too
      });
      vertx.setPeriodic(settings.liveRecheckInterval().toMillis(), id -> background.execute(live::recheck));
      io.micrometer.core.instrument.Gauge.builder("portcullis.live.connections", live, LiveConnections::size)
          .description("open WebSockets and streamed responses on services with IAP on").register(meters);
      Gateway gateway = new Gateway(settings, vertx, client, new GatewayMetrics(meters), signInHost, gate, identity,
          live);
      registry.onChange(gateway::update);
      GatewayServer gatewayServer = new GatewayServer(settings, vertx, gateway);
      int gatewayPort = await(gatewayServer.start(eventLoops));
      int[] portHolder = {gatewayPort, 0};
      Supplier<String> adminUrl = () -> settings.adminUrl().orElseGet(() ->
          "http://" + settings.adminListen().host() + ":" + portHolder[1]);
      // Several replicas on PostgreSQL: what the others write reaches this one's snapshots by the feed.
      if (database.vendor() == Database.Vendor.POSTGRESQL) {
        changeFeed = ChangeFeed.start(database, new Replication(registry, directory, iam, accessLevels, keys,
            disabledUsers, signingKeys, sessions, live::sessionHashes));
        feedMetrics(meters, changeFeed);
      }
      AdminServer.Health health = new AdminServer.Health(Optional.ofNullable(changeFeed),
          () -> iam.stale() || directory.stale());
      AdminServer admin = new AdminServer(settings, vertx, registry, database, token, meters,
          () -> portHolder[0], gatewayServer::listening,
          new AdminServer.People(users, accounts, sessions, disabledUsers, directory, keys, clock),
          new AdminServer.Access(iam, authorizer, (bearer, path) ->
              apiCaller(sessions, disabledUsers, workloads, adminUrl.get(), bearer, path)), accessLevels,
          signingKeys, new AdminServer.Audit(auditSink, auditCopier.store()), health);
      int adminPort = await(admin.start());
      gateway.serveConsole(new Console(vertx, settings.consoleHost(), settings.authHost(), sessions, disabledUsers,
          authorizer, admin));
      // Deny on doubt: a replica cut off from the others' changes longer than store.max_staleness may be
      // granting what was taken away elsewhere; it fails closed until its feed is back and resynced.
      ChangeFeed feed = changeFeed;
      long maxStaleMillis = settings.storeMaxStaleness().toMillis();
      BooleanSupplier tooStale = () -> feed != null && feed.outOfSyncMillis() > maxStaleMillis;
      if (feed != null) {
        vertx.setPeriodic(1_000, id -> {
          if (tooStale.getAsBoolean() && !(iam.stale() && directory.stale())) {
            log.error("the change feed has been away for {} s (store.max_staleness {}); denying everything until "
                + "it is back and resynced", feed.outOfSyncMillis() / 1000, settings.storeMaxStaleness());
            background.execute(() -> {
              if (tooStale.getAsBoolean()) {
                iam.failClosed();
                directory.failClosed();
              }
            });
          }
        });
      }
      // After a failed rebuild the snapshots deny (fail closed); retry until the store answers again.
      vertx.setPeriodic(STALE_RETRY_EVERY.toMillis(), id -> {
        if ((iam.stale() || directory.stale()) && !tooStale.getAsBoolean()) {
          background.execute(() -> {
            try {
              if (iam.stale()) {
                iam.refresh();
              }
              if (directory.stale()) {
                directory.refresh();
              }
            } catch (RuntimeException e) {
              log.error("rebuilding the IAM snapshots failed again; still denying", e);
            }
          });
        }
      });
      portHolder[1] = adminPort;
      // Another replica may rotate: its new current key was already our next, so reading it late is safe.
      vertx.setPeriodic(KEY_REFRESH_EVERY.toMillis(), id -> background.execute(() -> {
        try {
          signingKeys.refresh();
        } catch (RuntimeException e) {
          log.error("reading the signing keys failed; keeping the ones in memory", e);
        }
      }));
      vertx.setPeriodic(PURGE_EVERY.toMillis(), id -> background.execute(() ->
          new SessionRepository(database).purge(clock.instant().minus(Duration.ofDays(1)))));
      int retentionDays = settings.audit().retentionDays();
      if (retentionDays > 0) {
        vertx.setPeriodic(AUDIT_RETENTION_FIRST.toMillis(), PURGE_EVERY.toMillis(), id -> background.execute(() ->
            purgeAudit(auditCopier, auditLog, clock.instant().minus(Duration.ofDays(retentionDays)))));
      }
      return new Portcullis(settings, database, vertx, client, gatewayServer, admin, hello, registry, gatewayPort,
          adminPort, bootstrapPassword, sessions, accounts, users, accessLevels, directory, signingKeys, auditLog,
          auditCopier, auditSinks, Optional.ofNullable(changeFeed));
    } catch (RuntimeException | IOException e) {
      if (changeFeed != null) {
        changeFeed.close();
      }
      if (vertx != null) {
        vertx.close();
      }
      auditLog.close();
      auditCopier.close();
      auditSinks.close();
      database.close();
      throw e;
    }
  }

  /** The store and the change feed as operators watch them (see docs/operations.md). */
  private static void feedMetrics(PrometheusMeterRegistry meters, ChangeFeed feed) {
    Gauge.builder("portcullis_store_reachable", feed,
            f -> f.state() == ChangeFeed.State.IN_SYNC || f.state() == ChangeFeed.State.RESYNCING ? 1 : 0)
        .description("1 while the change feed's connection to PostgreSQL is up").register(meters);
    Gauge.builder("portcullis_change_feed_in_sync", feed, f -> f.state() == ChangeFeed.State.IN_SYNC ? 1 : 0)
        .description("1 while this replica's snapshots follow every change in the store").register(meters);
    Gauge.builder("portcullis_change_feed_out_of_sync_seconds", feed, f -> f.outOfSyncMillis() / 1000.0)
        .description("how long this replica has served from its last snapshot without the feed; 0 in sync")
        .register(meters);
    FunctionCounter.builder("portcullis_change_feed_reconnects", feed, ChangeFeed::reconnects)
        .description("times the change feed lost the store and connected again").register(meters);
    FunctionCounter.builder("portcullis_change_feed_notifications", feed, ChangeFeed::notifications)
        .description("change notifications received from the store").register(meters);
  }

  /**
   * The demo service points at this process's demo app, whose port changes at every start. It is created
   * on the first start only, and moved to the new port only while it still points where Portcullis last
   * put it: an administrator's edits or deletion are left alone.
   */
  private static void ensureDemoService(ServiceRegistry registry, MetaRepository meta, URI upstream) {
    Optional<String> previous = meta.get(DEMO_UPSTREAM_KEY);
    Optional<Service> existing = registry.get(DEMO_SERVICE);
    if (existing.isEmpty() && previous.isEmpty()) {
      registry.create(new Service(DEMO_SERVICE, Service.DEFAULT_PROJECT, upstream, List.of(), false, Ingress.ALL,
          Timeouts.DEFAULTS, Optional.empty(), dev.portcullis.service.AccessDenied.NONE,
          dev.portcullis.service.AssertionOptions.DEFAULTS, false, 0, Instant.EPOCH, Instant.EPOCH));
    } else if (existing.isPresent() && previous.isPresent()
        && existing.get().upstream().toString().equals(previous.get())) {
      registry.update(existing.get().withUpstream(upstream), Optional.of(existing.get().version()));
    } else if (existing.isEmpty() || previous.isEmpty()) {
      return;
    }
    meta.put(DEMO_UPSTREAM_KEY, upstream.toString());
  }

  /**
   * On the very first start, an administrator account with a generated password, returned so that it
   * can be shown once. Later starts create nothing.
   */
  private static Optional<String> bootstrapAdmin(LocalAccounts accounts, UserRepository users, String email) {
    if (users.count() > 0) {
      return Optional.empty();
    }
    String password = LocalAccounts.generatePassword();
    try {
      accounts.create(email, Optional.of("Administrator"), password);
    } catch (dev.portcullis.store.ConflictException e) {
      // Another replica starting on the same new store made it first: its start shows the password.
      return Optional.empty();
    }
    return Optional.of(password);
  }

  /**
   * A person's API token is a session for the API pseudo-host, issued on the sign-in host. Anything else
   * may be a service account's JWT (or a trusted issuer's token), checked as the gateway checks one, with
   * the admin API's URL (admin.url) in place of a service's: aud is ADMIN_URL/PATH or a wildcard such as
   * ADMIN_URL/*. The Host header plays no part, so a token for a service cannot be replayed here.
   */
  private static Optional<dev.portcullis.iam.Principal> apiCaller(Sessions sessions, DisabledUsers disabled,
      WorkloadAuthenticator workloads, String adminUrl, String token, String path) {
    if (!Tokens.wellFormed(token)) {
      try {
        dev.portcullis.iam.Principal p = workloads.authenticate(token, adminUrl, path);
        return p.kind() == dev.portcullis.iam.Principal.Kind.USER && disabled.containsEmail(p.email())
            ? Optional.empty() : Optional.of(p);
      } catch (BearerException e) {
        log.debug("admin API bearer token refused: {}", e.getMessage());
        return Optional.empty();
      }
    }
    return sessions.load(token, API_HOST)
        .filter(s -> !disabled.contains(s.identity().userId()))
        .map(s -> dev.portcullis.iam.Principal.user(s.identity().email()));
  }

  /** The first administrator may administer everything (not reach the apps: that is granted separately). */
  private static void grantBootstrapAdmin(Iam iam, String email) {
    Policy org = iam.getPolicy(ResourceName.ORGANIZATION);
    if (!org.bindings().isEmpty()) {
      return;
    }
    iam.setPolicy(ResourceName.ORGANIZATION, new io.vertx.core.json.JsonObject()
        .put("etag", org.etag())
        .put("bindings", new io.vertx.core.json.JsonArray().add(new io.vertx.core.json.JsonObject()
            .put("role", PredefinedRoles.ADMIN)
            .put("members", new io.vertx.core.json.JsonArray().add("user:" + email)))));
  }

  private static OidcProviderConfig providerConfig(OidcSettings o) {
    try {
      return new OidcProviderConfig(o.id(), o.displayName(), o.issuer(), o.clientId(), Secret.of(o.clientSecret()),
          o.scopes(), o.allowedDomains(), o.loginHint());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("oidc." + o.id() + ".issuer", e.getMessage());
    }
  }

  /** A 256-bit key kept in the store, so that every replica and every restart uses the same one. */
  private static byte[] secretKey(MetaRepository meta, String name) {
    Optional<String> existing = meta.get(name);
    if (existing.isPresent()) {
      return Base64.getDecoder().decode(existing.get());
    }
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    // Replicas starting together on a new store: the first key written is the one everyone uses.
    return Base64.getDecoder().decode(meta.putIfAbsent(name, Base64.getEncoder().encodeToString(key)));
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause.getMessage(), cause);
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  public int gatewayPort() {
    return gatewayPort;
  }

  public int adminPort() {
    return adminPort;
  }

  public Settings settings() {
    return settings;
  }

  public ServiceRegistry services() {
    return registry;
  }

  /** The first administrator's generated password, on the start that created it only. */
  public Optional<String> bootstrapPassword() {
    return bootstrapPassword;
  }

  public Sessions sessions() {
    return sessions;
  }

  public Optional<LocalAccounts> accounts() {
    return accounts;
  }

  /** Every user in the store, built-in and from identity providers. */
  public UserRepository users() {
    return users;
  }

  /** The access levels: their write path, and {@code snapshot()} for the decision. */
  public AccessLevels accessLevels() {
    return accessLevels;
  }

  /** Groups, memberships and service accounts: the write path, and the snapshot the decision engine reads. */
  public Directory directory() {
    return directory;
  }

  /** This replica's audit log. */
  public AuditLog auditLog() {
    return auditLog;
  }

  /** The PostgreSQL change feed, empty on SQLite. */
  public Optional<ChangeFeed> changeFeed() {
    return changeFeed;
  }

  /** The assertion signing keys: what is published, and rotation. */
  public SigningKeys signingKeys() {
    return signingKeys;
  }

  /** Stops accepting, lets in-flight requests finish up to the shutdown timeout, then releases everything. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long timeout = settings.shutdownTimeout().toMillis();
    try {
      // The admin listener stays up while the proxy drains, so /readyz answers 503 to load balancers.
      gatewayServer.shutdown(timeout).eventually(() -> adminServer.shutdown(1_000))
          .toCompletionStage().toCompletableFuture().get(timeout + 5_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("shutdown did not drain cleanly: {}", e.toString());
    }
    try {
      if (hello != null) {
        hello.stop();
      }
      upstreamClient.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("event loops did not stop cleanly: {}", e.toString());
    } finally {
      changeFeed.ifPresent(ChangeFeed::close);
      // Every decision is in the queue by now: commit the file, copy it to the store, then let go.
      auditLog.close();
      auditCopier.close();
      auditSinks.close();
      database.close();
    }
  }
}
