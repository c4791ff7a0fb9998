package dev.portcullis.console;

import dev.portcullis.admin.AdminServer;
import dev.portcullis.authn.DisabledUsers;
import dev.portcullis.authn.SignInHost;
import dev.portcullis.gateway.Exchange;
import dev.portcullis.gateway.OwnHost;
import dev.portcullis.iam.Authorizer;
import dev.portcullis.iam.Permissions;
import dev.portcullis.iam.Principal;
import dev.portcullis.iam.RequestFacts;
import dev.portcullis.iam.ResourceName;
import dev.portcullis.pages.DeniedPage;
import dev.portcullis.pages.ErrorPage;
import dev.portcullis.pages.Responses;
import dev.portcullis.session.Session;
import dev.portcullis.session.SessionCookies;
import dev.portcullis.session.Sessions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console host, in order: its static assets (public: no secrets in them), the caller's session on
 * this host (a browser navigation without one is sent to sign in), the entry check (the caller must hold
 * {@value #ENTRY_PERMISSION} on the organization, as Portcullis Admin and Portcullis Viewer do), then
 * either a page shell or the admin API under /v1. The API is the admin listener's own, mounted behind
 * this session and the CSRF token: a viewer's write is refused by the same table that refuses it to a
 * viewer's API token.
 */
public final class Console implements OwnHost {
  private static final Logger log = LoggerFactory.getLogger(Console.class);
  static final String ENTRY_PERMISSION = Permissions.SERVICES_LIST;
  private static final String EXCHANGE = "portcullis.console.exchange";
  private static final String SESSION = "portcullis.console.session";

  private final Vertx vertx;
  private final Sessions sessions;
  private final DisabledUsers disabled;
  private final Authorizer authorizer;
  private final String host;
  private final String signInHost;
  private final Router router;
  private final ConsoleAssets assets = ConsoleAssets.load();
  /**
   * Hands the gateway's view of a request to the router's first handler, which the router runs on this
   * thread before {@code handle} returns (the router wraps the request, so it cannot be the key).
   */
  private final ThreadLocal<Exchange> arriving = new ThreadLocal<>();

  public Console(Vertx vertx, String host, String signInHost, Sessions sessions, DisabledUsers disabled,
      Authorizer authorizer, AdminServer admin) {
    this.vertx = vertx;
    this.host = host;
    this.signInHost = signInHost;
    this.sessions = sessions;
    this.disabled = disabled;
    this.authorizer = authorizer;
    this.router = Router.router(vertx);
    router.route().handler(rc -> {
      Exchange ex = arriving.get();
      arriving.remove();
      if (ex == null) {
        rc.fail(500);
        return;
      }
      rc.put(EXCHANGE, ex);
      rc.next();
    });
    router.get(ConsoleAssets.PREFIX + "*").handler(assets::serve);
    router.route(SignInHost.SIGN_OUT_PATH).handler(this::signOut);
    router.route().handler(this::session);
    admin.mountApi(router, this::api);
    router.get("/").handler(rc -> Responses.redirect(rc.response(), "/services"));
    for (ConsolePage.Kind kind : ConsolePage.Kind.values()) {
      router.get(kind.path()).handler(rc -> page(rc, kind));
      if (kind.hasItem()) {
        router.get(kind.path() + "/:item").handler(rc -> page(rc, kind));
      }
    }
    router.route("/v1/*").last().handler(rc -> AdminServer.error(rc, 404, "NOT_FOUND",
        "no such admin endpoint: " + rc.request().method() + " " + rc.request().path()));
    router.route().last().handler(rc -> Responses.error(rc.response(), rc.request().getHeader("accept"),
        new ErrorPage(404, "Not found", "There is no console page at this address.", "console", exchange(rc)
            .requestId())));
    router.errorHandler(405, rc -> failed(rc, 405));
    router.errorHandler(413, rc -> failed(rc, 413));
    router.errorHandler(500, rc -> failed(rc, 500));
  }

  @Override
  public void handle(HttpServerRequest request, Exchange exchange) {
    arriving.set(exchange);
    try {
      router.handle(request);
    } finally {
      arriving.remove();
    }
  }

  /** The caller's session on this host; without one, a navigation goes to sign in and anything else gets 401. */
  private void session(RoutingContext rc) {
    Exchange ex = exchange(rc);
    HttpServerRequest req = rc.request();
    String cookie = SessionCookies.read(req, SessionCookies.SESSION, ex.secure());
    // Held until the caller is known, so the admin API's body handler still sees the whole body.
    req.pause();
    sessions.lookup(vertx, cookie, host).onComplete(ar -> {
      if (ar.failed()) {
        log.error("console session lookup failed; refusing", ar.cause());
      }
      Optional<Session> session = ar.succeeded()
          ? ar.result().filter(s -> !disabled.contains(s.identity().userId())) : Optional.empty();
      boolean api = req.path().startsWith("/v1/");
      if (!api) {
        req.resume();
      }
      if (session.isEmpty()) {
        if (api) {
          req.resume();
          AdminServer.error(rc, 401, "UNAUTHENTICATED", "sign in to the console again: open "
              + ex.origin() + "/ in this browser");
        } else if (req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD) {
          String rd = req.uri().startsWith("/") ? req.uri() : "/";
          Responses.redirect(rc.response(), ex.origin() + "/_portcullis/start?rd="
              + URLEncoder.encode(rd, StandardCharsets.UTF_8));
        } else {
          Responses.error(rc.response(), req.getHeader("accept"), new ErrorPage(401, "Sign-in required",
              "Open the console again to sign in.", "console", ex.requestId()));
        }
        return;
      }
      Principal principal = Principal.user(session.get().identity().email());
      if (!allowed(principal, ENTRY_PERMISSION, rc)) {
        if (api) {
          req.resume();
          AdminServer.error(rc, 403, "PERMISSION_DENIED", principal.memberKey() + " may not use the console: it "
              + "needs roles/portcullis.admin or roles/portcullis.viewer on the organization");
        } else {
          denied(rc, principal);
        }
        return;
      }
      rc.put(SESSION, new Caller(principal, cookie, allowed(principal, Permissions.SERVICES_CREATE, rc)
          || allowed(principal, Permissions.SET_IAM_POLICY, rc)));
      rc.next();
    });
  }

  /** The admin API's authenticator on this host: the session found above, and the CSRF checks. */
  private void api(RoutingContext rc) {
    Caller caller = rc.get(SESSION);
    String problem = ConsoleCsrf.problem(rc.request(), caller.cookie(), host);
    if (problem != null) {
      rc.request().resume();
      AdminServer.error(rc, 403, "PERMISSION_DENIED", problem);
      return;
    }
    AdminServer.authenticatedAs(rc, caller.principal());
    rc.next();
  }

  private void page(RoutingContext rc, ConsolePage.Kind kind) {
    Caller caller = rc.get(SESSION);
    ConsolePage page = new ConsolePage(kind, rc.pathParam("item"), caller.principal().email(),
        ConsoleCsrf.tokenFor(caller.cookie()), caller.canWrite());
    html(rc.response(), 200, page.render());
  }

  private void denied(RoutingContext rc, Principal principal) {
    Exchange ex = exchange(rc);
    DeniedPage page = new DeniedPage(principal.email(), "console", ex.requestId(),
        "The console is for administrators: it needs the role Portcullis Admin (roles/portcullis.admin) or "
            + "Portcullis Viewer (roles/portcullis.viewer) on the organization.",
        ex.originOf(signInHost) + SignInHost.SIGN_OUT_PATH);
    ErrorPage.Rendered r = page.render(rc.request().getHeader("accept"));
    Responses.own(rc.response()).setStatusCode(403).putHeader("content-type", r.contentType()).end(r.body());
  }

  /** Ends this sign-in everywhere: the sign-in host revokes the central session and every host session under it. */
  private void signOut(RoutingContext rc) {
    Exchange ex = exchange(rc);
    SessionCookies.clear(rc.response(), SessionCookies.SESSION, ex.secure());
    Responses.redirect(rc.response(), ex.originOf(signInHost) + SignInHost.SIGN_OUT_PATH);
  }

  private boolean allowed(Principal principal, String permission, RoutingContext rc) {
    Exchange ex = exchange(rc);
    try {
      return authorizer.decide(Optional.of(principal), ResourceName.ORGANIZATION, permission,
          new RequestFacts(host, rc.request().path(), rc.request().method().name(), Instant.now(), ex.clientIp()))
          .allowed();
    } catch (RuntimeException e) {
      log.error("IAM decision for the console failed; denying", e);
      return false;
    }
  }

  private void failed(RoutingContext rc, int status) {
    if (rc.request().path().startsWith("/v1/")) {
      AdminServer.failure(rc, status);
      return;
    }
    if (status == 500) {
      log.error("console request {} failed", rc.request().path(), rc.failure());
    }
    Exchange ex = rc.get(EXCHANGE);
    Responses.error(rc.response(), rc.request().getHeader("accept"), new ErrorPage(status,
        status == 405 ? "Method not allowed" : "Something went wrong",
        status == 405 ? "This page cannot be used that way." : "The console could not answer; see the server log.",
        "console", ex == null ? "" : ex.requestId()));
  }

  private static Exchange exchange(RoutingContext rc) {
    return rc.get(EXCHANGE);
  }

  /** Console pages: no inline script or style at all, everything from this host. */
  static void html(HttpServerResponse response, int status, String html) {
    Responses.own(response).setStatusCode(status)
        .putHeader("content-security-policy", ConsoleAssets.CSP)
        .putHeader("content-type", "text/html; charset=utf-8")
        .end(html);
  }

  /** Who is using the console on this request. */
  record Caller(Principal principal, String cookie, boolean canWrite) {}
}
