package dev.portcullis.gateway;

import dev.portcullis.authn.DisabledUsers;
import dev.portcullis.authn.QueryParams;
import dev.portcullis.authn.SignInHost;
import dev.portcullis.authn.SignInRequests;
import dev.portcullis.authn.workload.WorkloadAuthenticator;
import dev.portcullis.iam.Authorizer;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.iam.Decision;
import dev.portcullis.iam.Permissions;
import dev.portcullis.iam.Principal;
import dev.portcullis.iam.RequestFacts;
import dev.portcullis.iam.ResourceName;
import dev.portcullis.pages.DeniedPage;
import dev.portcullis.pages.ErrorPage;
import dev.portcullis.pages.Responses;
import dev.portcullis.session.Handoffs;
import dev.portcullis.session.Session;
import dev.portcullis.session.SessionCookies;
import dev.portcullis.session.Sessions;
import dev.portcullis.session.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import dev.portcullis.service.Service;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Identity for services with IAP on. Serves the special paths on every protected host (the sign-in
 * callback, sign-out, identity), finds the caller's session for this host, and either lets the request
 * on or answers as Google's IAP does: a 302 to sign-in for a browser navigation, 401 JSON otherwise.
 * A request carrying a bearer token is {@link BearerGate}'s instead.
 * Any error on this path is a denial.
 */
public final class IapGate {
  private static final Logger log = LoggerFactory.getLogger(IapGate.class);
  static final String START_PATH = "/_portcullis/start";
  static final String IDENTITY_PATH = "/_portcullis/identity";
  static final String IAP_IDENTITY_PATH = "/_gcp_iap/identity";
  static final String IAP_CLEAR_PATH = "/_gcp_iap/clear_login_cookie";
  private static final Duration SIGN_IN_COOKIE_LIFETIME = Duration.ofMinutes(15);

  private final Vertx vertx;
  private final Sessions sessions;
  private final Handoffs handoffs;
  private final SignInRequests requests;
  private final String signInHost;
  private final Duration sessionLifetime;
  private final DisabledUsers disabled;
  private final Authorizer authorizer;
  /** The prefix of email and sub on /_gcp_iap/identity, as in the IAP-compatible headers. */
  private final String iapPrefix;
  private final BearerGate bearers;
  private final DecisionAudit audit;

  /** Every decision is enqueued to the audit sink, with the query string when {@code auditQuery}. */
  public IapGate(Vertx vertx, Sessions sessions, Handoffs handoffs, SignInRequests requests, String signInHost,
      Duration sessionLifetime, DisabledUsers disabled, Authorizer authorizer, WorkloadAuthenticator workloads,
      String iapPrefix, AuditSink auditSink, boolean auditQuery) {
    this.iapPrefix = iapPrefix;
    this.audit = new DecisionAudit(auditSink, auditQuery);
    this.bearers = new BearerGate(vertx, workloads, authorizer, disabled, audit);
    this.disabled = disabled;
    this.authorizer = authorizer;
    this.vertx = vertx;
    this.sessions = sessions;
    this.handoffs = handoffs;
    this.requests = requests;
    this.signInHost = signInHost;
    this.sessionLifetime = sessionLifetime;
  }

  /**
   * Decides on one request; calls {@code allow} only when IAM lets the caller on, with the session (null
   * for an anonymous caller let in by an {@code allUsers} binding).
   */
  void handle(HttpServerRequest req, Exchange ex, Service target, BiConsumer<HttpServerRequest, Caller> allow) {
    String service = target.name();
    String path = req.path();
    if (ownHostSignIn(req, ex)) {
      return;
    }
    // A programmatic caller: its bearer token decides, never the cookie (see BearerGate).
    Optional<BearerGate.Credential> bearer = BearerGate.credential(req);
    if (bearer.isPresent()) {
      bearers.handle(req, ex, target, bearer.get(), allow);
      return;
    }
    boolean signOut = path.equals(SignInHost.SIGN_OUT_PATH) || path.equals(IAP_CLEAR_PATH)
        || QueryParams.first(req, "gcp-iap-mode").filter("CLEAR_LOGIN_COOKIE"::equals).isPresent();
    req.pause();
    sessions.lookup(vertx, SessionCookies.read(req, SessionCookies.SESSION, ex.secure()), ex.host()).onComplete(ar -> {
      if (ar.failed()) {
        log.error("session lookup failed; denying", ar.cause());
        audit.refused(req, ex, target, AuditEvent.Outcome.ERROR, "the session store could not be read");
        req.resume();
        Responses.error(req.response(), req.getHeader("accept"), new ErrorPage(503, "Sign-in unavailable",
            "Your session could not be checked just now. Try again in a moment.", service, ex.requestId()));
        return;
      }
      // A sign-in older than the service's re-authentication age counts as none: sign in again.
      Optional<Session> session = ar.result()
          .filter(s -> !disabled.contains(s.identity().userId()))
          .filter(s -> target.reauthMaxAge().map(age -> s.authTime().plus(age).isAfter(Instant.now())).orElse(true));
      if (signOut) {
        req.resume();
        signOut(req, ex, session);
      } else if (session.isPresent() && (path.equals(IDENTITY_PATH) || path.equals(IAP_IDENTITY_PATH))) {
        req.resume();
        identity(req, session.get(), path.equals(IAP_IDENTITY_PATH));
      } else {
        decide(req, ex, target, session, allow);
      }
    });
  }

  /**
   * The sign-in steps on a service's host or on a host Portcullis serves itself (the console): the callback
   * from the sign-in host and the start of a sign-in. True when this answered the request.
   */
  boolean ownHostSignIn(HttpServerRequest req, Exchange ex) {
    if (req.path().equals(SignInHost.CALLBACK_PATH)) {
      callback(req, ex);
      return true;
    }
    if (req.path().equals(START_PATH)) {
      startSignIn(req, ex, QueryParams.first(req, "rd").flatMap(IapGate::localPath).orElse("/"));
      return true;
    }
    return false;
  }

  /** IAM's decision on the current snapshots; any error while deciding is a denial. */
  private void decide(HttpServerRequest req, Exchange ex, Service target, Optional<Session> session,
      BiConsumer<HttpServerRequest, Caller> allow) {
    Optional<Principal> principal = session.map(s -> Principal.user(s.identity().email()));
    Decision decision;
    try {
      decision = authorizer.decide(principal, ResourceName.service(target.project(), target.name()),
          Permissions.ACCESS, new RequestFacts(ex.host(), req.path(), req.method().name(), Instant.now(),
              ex.clientIp()));
    } catch (RuntimeException e) {
      log.error("IAM decision failed for {} on {}; denying", principal.map(Principal::memberKey).orElse("anonymous"),
          target.name(), e);
      decision = Decision.deny(DecisionAudit.INTERNAL_ERROR);
    }
    audit.session(req, ex, target, session.map(Session::identity).orElse(null), decision);
    if (decision.allowed()) {
      allow.accept(req, session.map(Caller::of).orElse(null));
      return;
    }
    req.resume();
    log.debug("request {} to {} denied: {}", ex.requestId(), target.name(), decision.reason());
    if (principal.isEmpty()) {
      deny(req, ex, target.name());
    } else {
      forbidden(req, ex, target, principal.get());
    }
  }

  /** Signed in but not allowed: the administrator's page for a browser, else the 403 page or JSON. */
  private void forbidden(HttpServerRequest req, Exchange ex, Service target, Principal principal) {
    if (target.accessDenied().pageUri().isPresent() && isNavigation(req)) {
      Responses.redirect(req.response(), target.accessDenied().pageUri().get().toString());
      return;
    }
    DeniedPage page = new DeniedPage(principal.email(), target.name(), ex.requestId(),
        target.accessDenied().message().orElse(null), SignInHost.SIGN_OUT_PATH);
    ErrorPage.Rendered rendered = page.render(req.getHeader("accept"));
    Responses.own(req.response()).setStatusCode(403)
        .putHeader("content-type", rendered.contentType())
        .putHeader("cache-control", "no-store")
        .end(rendered.body());
  }

  /** No session: a browser navigation is sent to sign in; anything else gets 401 JSON. */
  private void deny(HttpServerRequest req, Exchange ex, String service) {
    if (isNavigation(req)) {
      startSignIn(req, ex, localTarget(req));
      return;
    }
    String loginUrl = ex.origin() + START_PATH + "?rd="
        + URLEncoder.encode(req.method() == HttpMethod.GET ? localTarget(req) : "/",
            StandardCharsets.UTF_8);
    JsonObject body = new JsonObject()
        .put("error", new JsonObject().put("code", 401).put("status", "UNAUTHENTICATED")
            .put("message", "Sign-in required: open login_url in a browser, or send a bearer token."))
        .put("login_url", loginUrl)
        .put("request_id", ex.requestId())
        .put("service", service);
    Responses.own(req.response()).setStatusCode(401)
        .putHeader("content-type", "application/json")
        .putHeader("www-authenticate", "Bearer realm=\"portcullis\"")
        .end(body.encode());
  }

  /** Binds this browser to a signed sign-in request and sends it to the sign-in host. */
  private void startSignIn(HttpServerRequest req, Exchange ex, String pathAndQuery) {
    String binding = Tokens.newToken();
    SessionCookies.set(req.response(), SessionCookies.SIGN_IN, binding, SIGN_IN_COOKIE_LIFETIME, ex.secure());
    String token = requests.sign(new SignInRequests.Request(ex.host(), ex.origin() + pathAndQuery, Tokens.hash(binding)));
    Responses.redirect(req.response(), ex.originOf(signInHost) + SignInHost.SIGN_IN_PATH + "?request="
        + URLEncoder.encode(token, StandardCharsets.UTF_8));
  }

  /** The sign-in host sent the browser back with a code: exchange it for this host's own session. */
  private void callback(HttpServerRequest req, Exchange ex) {
    String code = QueryParams.first(req, "code").orElse(null);
    String binding = SessionCookies.read(req, SessionCookies.SIGN_IN, ex.secure());
    String userAgent = req.getHeader("user-agent");
    req.pause();
    vertx.executeBlocking(() -> {
      if (binding == null) {
        return Optional.<Callback>empty();
      }
      return handoffs.take(code, ex.host())
          .filter(h -> h.bindingHash().equals(Tokens.hash(binding)))
          .flatMap(h -> sessions.find(h.sessionHash())
              .filter(central -> !central.revoked() && central.central()
                  && central.expireTime().isAfter(java.time.Instant.now()))
              .flatMap(central -> sessions.createForHost(central, ex.host(), ex.clientIp(), userAgent))
              .map(created -> new Callback(created, h.returnUrl())));
    }, false).onComplete(ar -> {
      req.resume();
      SessionCookies.clear(req.response(), SessionCookies.SIGN_IN, ex.secure());
      if (ar.failed() || ar.result().isEmpty()) {
        if (ar.failed()) {
          log.error("sign-in callback failed", ar.cause());
        }
        Responses.error(req.response(), req.getHeader("accept"), new ErrorPage(400, "Sign-in link not valid",
            "This sign-in link was already used, has expired, or was opened in another browser. Open the app "
                + "again to sign in.", null, ex.requestId()));
        return;
      }
      Callback c = ar.result().get();
      SessionCookies.set(req.response(), SessionCookies.SESSION, c.created().cookieValue(), sessionLifetime, ex.secure());
      Responses.redirect(req.response(), c.returnUrl().startsWith(ex.origin() + "/") ? c.returnUrl() : ex.origin() + "/");
    });
  }

  private record Callback(Sessions.Created created, String returnUrl) {}

  private void signOut(HttpServerRequest req, Exchange ex, Optional<Session> session) {
    SessionCookies.clear(req.response(), SessionCookies.SESSION, ex.secure());
    vertx.executeBlocking(() -> {
      session.ifPresent(sessions::revokeFamily);
      return null;
    }, false).onComplete(ar -> Responses.redirect(req.response(), ex.originOf(signInHost) + SignInHost.SIGN_OUT_PATH));
  }

  private void identity(HttpServerRequest req, Session s, boolean iapSpelling) {
    JsonObject body = iapSpelling
        ? new JsonObject().put("email", iapPrefix + s.identity().email())
            .put("sub", iapPrefix + s.identity().subject())
        : new JsonObject().put("email", s.identity().email()).put("subject", s.identity().subject())
            .put("provider", s.identity().provider());
    Responses.own(req.response()).putHeader("content-type", "application/json").end(body.encode());
  }

  /** As IAP: only a GET or HEAD that a browser makes as a page navigation, asking for HTML. */
  static boolean isNavigation(HttpServerRequest req) {
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      return false;
    }
    if (req.getHeader("x-requested-with") != null) {
      return false;
    }
    String mode = req.getHeader("sec-fetch-mode");
    if (mode != null && !mode.equalsIgnoreCase("navigate")) {
      return false;
    }
    String accept = req.getHeader("accept");
    return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/html");
  }

  /** The request's path and query on this host, also for an absolute-form target. */
  private static String localTarget(HttpServerRequest req) {
    String target = RequestTarget.originForm(req.uri());
    return target.startsWith("/") ? target : "/";
  }

  /** A path on this same host: starts with one '/', no backslash, no control characters. */
  static Optional<String> localPath(String rd) {
    if (rd == null || !rd.startsWith("/") || rd.startsWith("//") || rd.contains("\\")) {
      return Optional.empty();
    }
    for (int i = 0; i < rd.length(); i++) {
      char c = rd.charAt(i);
      if (c < 0x21 || c == 0x7f) {
        return Optional.empty();
      }
    }
    return Optional.of(rd);
  }
}
