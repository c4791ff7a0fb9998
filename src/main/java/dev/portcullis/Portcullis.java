package dev.portcullis;

import dev.portcullis.admin.AdminServer;
import dev.portcullis.admin.AdminToken;
import dev.portcullis.config.Settings;
import dev.portcullis.demo.HelloApp;
import dev.portcullis.gateway.Gateway;
import dev.portcullis.gateway.GatewayMetrics;
import dev.portcullis.gateway.GatewayServer;
import dev.portcullis.gateway.LoopLocalHttpClient;
import dev.portcullis.service.Ingress;
import dev.portcullis.service.Service;
import dev.portcullis.service.ServiceRegistry;
import dev.portcullis.service.Timeouts;
import dev.portcullis.store.Database;
import dev.portcullis.store.MetaRepository;
import dev.portcullis.store.ServiceRepository;
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
import java.time.Clock;
import java.time.Instant;
import java.util.List;
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

  private Portcullis(Settings settings, Database database, Vertx vertx, HttpClient upstreamClient,
      GatewayServer gatewayServer, AdminServer adminServer, HelloApp hello, ServiceRegistry registry,
      int gatewayPort, int adminPort) {
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
  }

  public static Portcullis start(Settings settings) throws IOException {
    Files.createDirectories(settings.dataDir());
    Path storeFile = settings.storeUrl()
        .map(u -> Path.of(u.substring("sqlite:".length())))
        .orElse(settings.dataDir().resolve("portcullis.db"));
    Database database = Database.openSqlite(storeFile);
    Vertx vertx = null;
    try {
      AdminToken token = AdminToken.loadOrCreate(settings.dataDir());
      ServiceRepository services = new ServiceRepository(database, Clock.systemUTC());
      ServiceRegistry registry = new ServiceRegistry(services, settings.domain());
      // Netty's native epoll transport when its library is there (Linux x86-64): fewer copies and
      // system calls per exchange than NIO. Vert.x falls back to NIO by itself elsewhere.
      vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
      PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
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

      Gateway gateway = new Gateway(settings, vertx, client, new GatewayMetrics(meters));
      registry.onChange(gateway::update);
      GatewayServer gatewayServer = new GatewayServer(settings, vertx, gateway);
      int gatewayPort = await(gatewayServer.start(eventLoops));
      int[] portHolder = {gatewayPort};
      AdminServer admin = new AdminServer(settings, vertx, registry, database, token, meters,
          () -> portHolder[0], () -> true);
      int adminPort = await(admin.start());
      return new Portcullis(settings, database, vertx, client, gatewayServer, admin, hello, registry, gatewayPort,
          adminPort);
    } catch (RuntimeException | IOException e) {
      if (vertx != null) {
        vertx.close();
      }
      database.close();
      throw e;
    }
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
          Timeouts.DEFAULTS, 0, Instant.EPOCH, Instant.EPOCH));
    } else if (existing.isPresent() && previous.isPresent()
        && existing.get().upstream().toString().equals(previous.get())) {
      registry.update(existing.get().withUpstream(upstream), Optional.of(existing.get().version()));
    } else if (existing.isEmpty() || previous.isEmpty()) {
      return;
    }
    meta.put(DEMO_UPSTREAM_KEY, upstream.toString());
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

  /** Stops accepting, lets in-flight requests finish up to the shutdown timeout, then releases everything. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long timeout = settings.shutdownTimeout().toMillis();
    try {
      Future.join(gatewayServer.shutdown(timeout), adminServer.shutdown(timeout))
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
      database.close();
    }
  }
}
