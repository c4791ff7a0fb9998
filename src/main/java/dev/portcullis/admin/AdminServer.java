package dev.portcullis.admin;

import dev.portcullis.assertion.SigningKeys;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.AuditStore;
import dev.portcullis.authn.local.LocalAccounts;
import dev.portcullis.authn.DisabledUsers;
import dev.portcullis.config.Settings;
import dev.portcullis.iam.condition.AccessLevels;
import dev.portcullis.directory.Directory;
import dev.portcullis.service.ServiceRegistry;
import dev.portcullis.service.ValidationException;
import dev.portcullis.store.AlreadyExistsException;
import dev.portcullis.store.ChangeFeed;
import dev.portcullis.store.ConflictException;
import dev.portcullis.store.Database;
import dev.portcullis.store.NotFoundException;
import dev.portcullis.store.StoreUnavailableException;
import dev.portcullis.store.UserRepository;
import dev.portcullis.session.Sessions;
import dev.portcullis.iam.Authorizer;
import dev.portcullis.iam.Iam;
import dev.portcullis.iam.Principal;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import dev.portcullis.authn.workload.ServiceAccountKeys;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.sql.Connection;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener: /healthz, /readyz and /metrics for operators and probes, and the JSON admin API
 * under /v1, which takes the bootstrap admin token as a bearer credential.
 */
public final class AdminServer {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
  private static final long MAX_BODY = 1024 * 1024;

  private final Settings settings;
  private final Vertx vertx;
  private final Router router;
  private final Database database;
  private final BooleanSupplier gatewayListening;
  private final BiConsumer<Router, Handler<RoutingContext>> api;
  private final Health health;
  private HttpServer server;

  /**
   * What /readyz reports besides the listener: the PostgreSQL change feed (empty on SQLite), and whether
   * the IAM or directory snapshot failed closed after a rebuild failed (everything is denied then).
   */
  public record Health(Optional<ChangeFeed> feed, BooleanSupplier failedClosed) {}

  /**
   * What the user, session, group and service account endpoints work on; accounts is empty when built-in
   * accounts are turned off.
   */
  public record People(UserRepository users, Optional<LocalAccounts> accounts, Sessions sessions,
      DisabledUsers disabled, Directory directory, ServiceAccountKeys keys, Clock clock) {}

  /**
   * IAM for the admin API: policies and roles, the decision engine, and how a bearer token other than the
   * bootstrap token becomes a principal, given the token and the request's path (blocking; empty when the
   * token is not valid).
   */
  public record Access(Iam iam, Authorizer authorizer, BiFunction<String, String, Optional<Principal>> bearer) {}

  /** Where admin changes are audited, and the stored audit log the audit endpoint reads. */
  public record Audit(AuditSink sink, AuditStore store) {}

  public AdminServer(Settings settings, Vertx vertx, ServiceRegistry registry, Database database, AdminToken token,
      PrometheusMeterRegistry metrics, IntSupplier gatewayPort, BooleanSupplier gatewayListening, People people,
      Access access, AccessLevels accessLevels, SigningKeys signingKeys, Audit audit, Health health) {
    this.settings = settings;
    this.health = health;
    this.vertx = vertx;
    this.database = database;
    this.gatewayListening = gatewayListening;
    this.router = Router.router(vertx);
    router.get("/healthz").handler(rc -> json(rc, 200, new JsonObject().put("status", "ok")));
    router.get("/readyz").handler(this::ready);
    router.get("/metrics").handler(rc -> rc.response()
        .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
        .end(metrics.scrape()));
    AdminAccess adminAccess = new AdminAccess(access.authorizer(), registry::catalog);
    AdminChanges changes = new AdminChanges(vertx, audit.sink(), new AdminChanges.Readers(access.iam(), registry,
        settings.scheme(), gatewayPort, people.directory(), people.keys(), people.users(), people.sessions(),
        accessLevels, signingKeys, people.clock()));
    AuditApi auditApi = new AuditApi(vertx, audit.store(), people.clock());
    IamApi iamApi = new IamApi(vertx, access.iam(), access.authorizer(), registry::catalog, settings.domain());
    ServicesApi servicesApi = new ServicesApi(vertx, registry, settings, gatewayPort);
    UsersApi usersApi = new UsersApi(vertx, people.users(), people.accounts(), people.sessions(), people.disabled(),
        people.clock());
    SessionsApi sessionsApi = new SessionsApi(vertx, people.sessions());
    AccessLevelsApi accessLevelsApi = new AccessLevelsApi(vertx, accessLevels);
    GroupsApi groupsApi = new GroupsApi(vertx, people.directory());
    ServiceAccountsApi serviceAccountsApi = new ServiceAccountsApi(vertx, people.directory());
    ServiceAccountKeysApi serviceAccountKeysApi = new ServiceAccountKeysApi(vertx, people.keys(), settings.scheme()
        + "://SERVICE." + settings.domain() + "/* (or the exact URL called)");
    KeysApi keysApi = new KeysApi(vertx, signingKeys);
    // Every mount (the admin listener's, the console's) gets the same chain: who, body, may they, audit, the API.
    this.api = (r, authenticate) -> {
      // Permissions and audit are decided on the path as sent; the router matches endpoints on its
      // normalized form. A path whose two forms differ ("..", ".", "//", "%2E") could pass the check for one
      // endpoint and reach another, so it is refused before anything else.
      r.route("/v1/*").handler(AdminServer::canonicalOnly);
      r.route("/v1/*").handler(authenticate);
      r.route("/v1/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY));
      r.route("/v1/*").handler(adminAccess::check);
      r.route("/v1/*").handler(changes::handle);
      auditApi.mount(r);
      iamApi.mount(r);
      servicesApi.mount(r);
      usersApi.mount(r);
      sessionsApi.mount(r);
      accessLevelsApi.mount(r);
      groupsApi.mount(r);
      serviceAccountsApi.mount(r);
      serviceAccountKeysApi.mount(r);
      keysApi.mount(r);
    };
    mountApi(router, rc -> authenticate(rc, token, access));
    router.route().last().handler(rc -> ApiError.send(rc, 404, "NOT_FOUND",
        "no such admin endpoint: " + rc.request().method() + " " + rc.request().path()));
    router.errorHandler(405, rc -> failure(rc, 405));
    router.errorHandler(413, rc -> failure(rc, 413));
    router.errorHandler(500, rc -> failure(rc, 500));
  }

  /**
   * Mounts the /v1 API on another router behind another authenticator: the console's session on its own
   * host. The same handler instances and the same {@link AdminAccess} table answer there as here; the
   * authenticator must name the caller with {@link #authenticatedAs} or answer the request itself.
   */
  public void mountApi(Router other, Handler<RoutingContext> authenticate) {
    api.accept(other, authenticate);
  }

  /** Names the admin API's caller for this request: a person or service account, checked by IAM per endpoint. */
  public static void authenticatedAs(RoutingContext rc, Principal principal) {
    rc.put(AdminCaller.KEY, AdminCaller.of(principal));
  }

  /** Answers an admin API request that failed (405, 413 or an error) with the API's error body. */
  public static void failure(RoutingContext rc, int status) {
    if (status == 405) {
      ApiError.send(rc, 405, "INVALID_ARGUMENT", "method " + rc.request().method() + " is not allowed on "
          + rc.request().path());
    } else if (status == 413) {
      ApiError.send(rc, 413, "INVALID_ARGUMENT", "the body is larger than 1 MiB");
    } else {
      fail(rc, rc.failure());
    }
  }

  /** An admin API error in the API's shape, e.g. 401 or 403 from another authenticator. */
  public static void error(RoutingContext rc, int code, String status, String message) {
    ApiError.send(rc, code, status, message);
  }

  /**
   * The bootstrap token is break-glass; any other bearer token must name a principal, whose roles are then
   * checked per endpoint by {@link AdminAccess}.
   */
  private void authenticate(RoutingContext rc, AdminToken token, Access access) {
    String authorization = rc.request().getHeader("authorization");
    if (token.matches(authorization)) {
      rc.put(AdminCaller.KEY, AdminCaller.BREAK_GLASS);
      rc.next();
      return;
    }
    String bearer = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        ? authorization.substring(7).trim() : null;
    if (bearer == null || bearer.isEmpty()) {
      unauthenticated(rc, "send a credential as 'Authorization: Bearer TOKEN': an API token (see docs/iam.md), a "
          + "service account's JWT (see docs/programmatic-access.md), or the break-glass admin token from the file "
          + "admin-token in the data directory");
      return;
    }
    // Held until the caller is known, so the body handler after this still sees the whole body.
    rc.request().pause();
    String path = rc.request().path();
    vertx.executeBlocking(() -> access.bearer().apply(bearer, path), false).onComplete(ar -> {
      if (ar.failed()) {
        log.error("checking an admin API credential failed; refusing", ar.cause());
      }
      if (ar.succeeded() && ar.result().isPresent()) {
        rc.put(AdminCaller.KEY, AdminCaller.of(ar.result().get()));
        rc.next();
      } else {
        unauthenticated(rc, "the bearer token is not valid, has expired or was revoked");
      }
    });
  }

  private static void canonicalOnly(RoutingContext rc) {
    String raw = rc.request().path();
    if (raw == null || !plain(raw)) {
      ApiError.send(rc, 400, "INVALID_ARGUMENT", "the path must be written plainly: no '.' or '..' segments, no "
          + "empty segments, no backslashes");
      return;
    }
    rc.next();
  }

  /** No segment that is (once decoded) "." or "..", no empty segment, no backslash, in any encoding. */
  static boolean plain(String raw) {
    if (raw.contains("//") || raw.contains("\\") || raw.toUpperCase(java.util.Locale.ROOT).contains("%5C")) {
      return false;
    }
    for (String segment : raw.split("/", -1)) {
      String decoded = segment.replace("%2e", ".").replace("%2E", ".");
      if (decoded.equals(".") || decoded.equals("..")) {
        return false;
      }
    }
    return !raw.toUpperCase(java.util.Locale.ROOT).contains("%2F");
  }

  private static void unauthenticated(RoutingContext rc, String message) {
    rc.response().putHeader("www-authenticate", "Bearer realm=\"portcullis-admin\"");
    ApiError.send(rc, 401, "UNAUTHENTICATED", message);
  }

  public Future<Integer> start() {
    server = vertx.createHttpServer(new HttpServerOptions()
            .setHost(settings.adminListen().host())
            .setPort(settings.adminListen().port()))
        .requestHandler(router);
    return server.listen().map(HttpServer::actualPort);
  }

  public Future<Void> shutdown(long timeoutMillis) {
    return server == null ? Future.succeededFuture() : server.shutdown(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  private void ready(RoutingContext rc) {
    if (health.feed().isPresent()) {
      readyReplica(rc, health.feed().get());
      return;
    }
    vertx.executeBlocking(() -> {
      try (Connection c = database.dataSource().getConnection()) {
        return c.isValid(2);
      }
    }, false).onComplete(ar -> {
      boolean store = ar.succeeded() && Boolean.TRUE.equals(ar.result());
      boolean gateway = gatewayListening.getAsBoolean();
      JsonObject body = new JsonObject()
          .put("status", store && gateway ? "ready" : "not ready")
          .put("store", store ? "ok" : "unreachable")
          .put("gateway", gateway ? "listening" : "not listening");
      json(rc, store && gateway ? 200 : 503, body);
    });
  }

  /**
   * A replica on PostgreSQL is ready while it can decide: during a store outage it keeps serving from its
   * last snapshot, and says so here, still 200, because every replica sees the same outage and a load
   * balancer that took them all out would turn it into a full one. It is not ready when its snapshots
   * failed closed (it denies everything; others may not) or its listener is down. The feed's state is
   * read from memory: this probe never waits on the store.
   */
  private void readyReplica(RoutingContext rc, ChangeFeed feed) {
    boolean gateway = gatewayListening.getAsBoolean();
    boolean failedClosed = health.failedClosed().getAsBoolean();
    ChangeFeed.State state = feed.state();
    boolean reachable = state == ChangeFeed.State.IN_SYNC || state == ChangeFeed.State.RESYNCING;
    boolean ready = gateway && !failedClosed;
    JsonObject body = new JsonObject()
        .put("status", !ready ? "not ready" : state == ChangeFeed.State.IN_SYNC ? "ready" : "degraded")
        .put("store", reachable ? "ok" : "unreachable")
        .put("changeFeed", switch (state) {
          case IN_SYNC -> "in sync";
          case RESYNCING -> "resyncing";
          case CONNECTING -> "reconnecting";
          case CLOSED -> "closed";
        })
        .put("snapshots", failedClosed ? "failed closed: denying until a rebuild succeeds"
            : state == ChangeFeed.State.IN_SYNC ? "current"
            : "serving the last snapshot, not in sync for " + feed.outOfSyncMillis() / 1000 + " s")
        .put("gateway", gateway ? "listening" : "not listening");
    if (state != ChangeFeed.State.IN_SYNC) {
      body.put("outOfSyncSeconds", feed.outOfSyncMillis() / 1000.0);
    }
    json(rc, ready ? 200 : 503, body);
  }

  private static void json(RoutingContext rc, int status, JsonObject body) {
    rc.response().setStatusCode(status).putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store").end(body.encode());
  }

  static void fail(RoutingContext rc, Throwable t) {
    if (t instanceof ValidationException v) {
      ApiError.send(rc, 400, "INVALID_ARGUMENT", v.getMessage(), v.errors());
    } else if (t instanceof NotFoundException) {
      ApiError.send(rc, 404, "NOT_FOUND", t.getMessage());
    } else if (t instanceof AlreadyExistsException) {
      ApiError.send(rc, 409, "ALREADY_EXISTS", t.getMessage());
    } else if (t instanceof ConflictException) {
      ApiError.send(rc, 409, "ABORTED", t.getMessage());
    } else if (t instanceof StoreUnavailableException) {
      log.warn("admin request {} {} refused: {}", rc.request().method(), rc.request().path(), t.getMessage());
      ApiError.send(rc, 503, "UNAVAILABLE", "the store (PostgreSQL) cannot be reached, so nothing was changed; "
          + "this replica keeps serving from its last snapshot. Retry once the store is back (see /readyz)");
    } else {
      log.error("admin request {} {} failed", rc.request().method(), rc.request().path(), t);
      ApiError.send(rc, 500, "INTERNAL", "internal error; see the server log");
    }
  }
}
