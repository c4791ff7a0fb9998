package dev.portcullis.authn;

import dev.portcullis.authn.local.LocalAccounts;
import dev.portcullis.authn.oidc.OidcProviders;
import dev.portcullis.store.SignInStateRepository;
import dev.portcullis.store.UserRepository;
import java.time.Clock;
import dev.portcullis.pages.ErrorPage;
import dev.portcullis.pages.MessagePage;
import dev.portcullis.pages.Responses;
import dev.portcullis.service.Service;
import dev.portcullis.service.ServiceCatalog;
import dev.portcullis.session.Handoffs;
import dev.portcullis.session.Session;
import dev.portcullis.session.SessionCookies;
import dev.portcullis.session.Sessions;
import dev.portcullis.session.Tokens;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The central sign-in host ({@code auth.DOMAIN}). It shows the sign-in page for a signed sign-in request
 * from a service host, checks built-in passwords (CSRF-protected, throttled), keeps the central session,
 * and hands each sign-in back to the service host that asked, with a single-use code.
 */
public final class SignInHost {
  private static final Logger log = LoggerFactory.getLogger(SignInHost.class);
  public static final String SIGN_IN_PATH = "/_portcullis/signin";
  public static final String PASSWORD_PATH = "/_portcullis/signin/password";
  public static final String SIGN_OUT_PATH = "/_portcullis/sign_out";
  public static final String CALLBACK_PATH = "/_portcullis/callback";
  public static final String SIGNED_OUT_PATH = "/_portcullis/signed_out";
  public static final String API_TOKEN_PATH = "/_portcullis/api_token";
  /** The pseudo-host API-token sessions are bound to: no service host can be named this (it has no dot). */
  public static final String API_HOST = "portcullis-api";
  private static final Duration CSRF_LIFETIME = Duration.ofHours(1);

  private final Vertx vertx;
  private final Sessions sessions;
  private final Handoffs handoffs;
  private final SignInRequests requests;
  private final Optional<LocalAccounts> accounts;
  private final Supplier<ServiceCatalog> catalog;
  private final Duration sessionLifetime;
  private final OidcProviders providers;
  private final OidcSignIn oidc;
  private final String ownHost;
  private final String consoleHost;

  public SignInHost(Vertx vertx, Sessions sessions, Handoffs handoffs, SignInRequests requests,
      Optional<LocalAccounts> accounts, Supplier<ServiceCatalog> catalog, Duration sessionLifetime,
      OidcProviders providers, SignInStateRepository states, UserRepository users, Clock clock, String ownHost,
      String consoleHost) {
    this.ownHost = ownHost;
    this.consoleHost = consoleHost;
    this.providers = providers;
    this.oidc = new OidcSignIn(vertx, providers, states, users, sessions, clock);
    this.vertx = vertx;
    this.sessions = sessions;
    this.handoffs = handoffs;
    this.requests = requests;
    this.accounts = accounts;
    this.catalog = catalog;
    this.sessionLifetime = sessionLifetime;
  }

  /** One request to the sign-in host; {@code host} is its normalized name. */
  public void handle(HttpServerRequest req, String host, String requestId, String clientIp, boolean secure) {
    String path = req.path();
    if (path.equals(SIGN_IN_PATH) && (req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD)) {
      signInPage(req, host, requestId, secure);
    } else if (path.equals(PASSWORD_PATH) && req.method() == HttpMethod.POST && accounts.isPresent()) {
      password(req, host, requestId, clientIp, secure);
    } else if (path.startsWith(OidcSignIn.START_PREFIX) && req.method() == HttpMethod.GET) {
      String token = req.getParam("request");
      if (validRequest(token).isEmpty()) {
        badRequest(req, requestId);
      } else {
        oidc.start(req, path.substring(OidcSignIn.START_PREFIX.length()), token, origin(req, host, secure), requestId,
            secure);
      }
    } else if (path.equals(OidcSignIn.CALLBACK_PATH) && req.method() == HttpMethod.GET) {
      oidc.callback(req, host, origin(req, host, secure), clientIp, requestId, secure, done -> {
        Optional<SignInRequests.Request> request = validRequest(done.signInRequest());
        SessionCookies.set(req.response(), SessionCookies.SESSION, done.session().cookieValue(), sessionLifetime, secure);
        if (request.isEmpty()) {
          badRequest(req, requestId);
        } else {
          handBack(req, done.session().session(), request.get(), requestId);
        }
      });
    } else if (path.equals(API_TOKEN_PATH) && (req.method() == HttpMethod.GET || req.method() == HttpMethod.POST)) {
      apiToken(req, host, requestId, clientIp, secure);
    } else if (path.equals(SIGN_OUT_PATH)) {
      signOut(req, host, secure);
    } else if (path.equals(SIGNED_OUT_PATH)) {
      signedOut(req);
    } else if (path.equals("/")) {
      Responses.html(req.response(), 200, new MessagePage("Portcullis sign-in",
          "This is where Portcullis signs you in. Open one of your apps to sign in to it.", null, null).render());
    } else {
      Responses.error(req.response(), req.getHeader("accept"), new ErrorPage(404, "Not found",
          "There is nothing at this address on the sign-in host.", null, requestId));
    }
  }

  private void signInPage(HttpServerRequest req, String host, String requestId, boolean secure) {
    String token = QueryParams.first(req, "request").orElse(null);
    Optional<SignInRequests.Request> request = validRequest(token);
    if (request.isEmpty()) {
      badRequest(req, requestId);
      return;
    }
    req.pause();
    sessions.lookup(vertx, SessionCookies.read(req, SessionCookies.SESSION, secure), host).onComplete(ar -> {
      req.resume();
      Optional<Session> central = ar.succeeded() ? ar.result().filter(s -> recentEnough(s, request.get())) : Optional.empty();
      if (central.isPresent()) {
        handBack(req, central.get(), request.get(), requestId);
      } else if (accounts.isEmpty() && providers.configs().size() == 1) {
        // One way to sign in: no chooser, straight to the provider, as IAP does.
        oidc.start(req, providers.configs().get(0).id(), token, origin(req, host, secure), requestId, secure);
      } else {
        showForm(req, token, request.get(), "", null, 200, secure);
      }
    });
  }

  /**
   * A signed-in person's token for the admin API: a session under their central one, bound to the API
   * pseudo-host, shown once. Without a central session the person signs in here first, and returns here.
   */
  private void apiToken(HttpServerRequest req, String host, String requestId, String clientIp, boolean secure) {
    boolean create = req.method() == HttpMethod.POST;
    if (create) {
      req.setExpectMultipart(true);
    }
    String cookie = SessionCookies.read(req, SessionCookies.SESSION, secure);
    req.pause();
    sessions.lookup(vertx, cookie, host).onComplete(ar -> {
      req.resume();
      Optional<Session> central = ar.succeeded() ? ar.result().filter(Session::central) : Optional.empty();
      if (central.isEmpty()) {
        if (create) {
          req.end();
          Responses.error(req.response(), req.getHeader("accept"), new ErrorPage(403, "Form expired",
              "Your sign-in has ended. Open this page again to sign in.", null, requestId));
          return;
        }
        String back = origin(req, host, secure) + API_TOKEN_PATH;
        String signed = requests.sign(new SignInRequests.Request(host, back, Tokens.hash(Tokens.newToken())));
        Responses.redirect(req.response(), origin(req, host, secure) + SIGN_IN_PATH + "?request="
            + URLEncoder.encode(signed, StandardCharsets.UTF_8));
        return;
      }
      String email = central.get().identity().email();
      if (!create) {
        String csrf = Tokens.newToken();
        SessionCookies.set(req.response(), SessionCookies.CSRF, csrf, CSRF_LIFETIME, secure);
        Responses.html(req.response(), 200, new ApiTokenPage(email, csrf, null).render());
        return;
      }
      req.end().onComplete(done -> {
        if (done.failed() || !csrfOk(req, req.formAttributes().get("csrf"), host, secure)) {
          Responses.error(req.response(), req.getHeader("accept"), new ErrorPage(403, "Form expired",
              "The form could not be verified. Open " + API_TOKEN_PATH + " again.", null, requestId));
          return;
        }
        String userAgent = req.getHeader("user-agent");
        vertx.executeBlocking(() -> sessions.createForHost(central.get(), API_HOST, clientIp, userAgent), false)
            .onComplete(created -> {
              if (created.failed() || created.result().isEmpty()) {
                Responses.error(req.response(), req.getHeader("accept"), new ErrorPage(403, "Sign-in ended",
                    "Your sign-in ended meanwhile. Open " + API_TOKEN_PATH + " again.", null, requestId));
                return;
              }
              SessionCookies.clear(req.response(), SessionCookies.CSRF, secure);
              Responses.html(req.response(), 200,
                  new ApiTokenPage(email, null, created.result().get().cookieValue()).render());
            });
      });
    });
  }

  private void showForm(HttpServerRequest req, String token, SignInRequests.Request request, String email,
      String error, int status, boolean secure) {
    String csrf = Tokens.newToken();
    SessionCookies.set(req.response(), SessionCookies.CSRF, csrf, CSRF_LIFETIME, secure);
    String service = catalog.get().byHost(request.host()).map(Service::name)
        .orElse(request.host().equals(ownHost) ? "the Portcullis admin API"
            : request.host().equals(consoleHost) ? "the Portcullis console" : request.host());
    List<SignInPage.ProviderLink> links = providers.configs().stream()
        .map(c -> new SignInPage.ProviderLink(c.displayName(), OidcSignIn.START_PREFIX + c.id() + "?request="
            + URLEncoder.encode(token, StandardCharsets.UTF_8)))
        .toList();
    SignInPage page = new SignInPage(service, token, csrf, accounts.isPresent(), links, email, error);
    Responses.html(req.response(), status, page.render());
  }

  private void password(HttpServerRequest req, String host, String requestId, String clientIp, boolean secure) {
    String contentType = req.getHeader("content-type");
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      Responses.error(req.response(), req.getHeader("accept"), new ErrorPage(400, "Bad request",
          "The sign-in form must be sent as application/x-www-form-urlencoded.", null, requestId));
      return;
    }
    req.setExpectMultipart(true);
    req.end().onComplete(done -> {
      if (done.failed()) {
        badRequest(req, requestId);
        return;
      }
      MultiMap form = req.formAttributes();
      String token = form.get("request");
      Optional<SignInRequests.Request> request = validRequest(token);
      if (request.isEmpty()) {
        badRequest(req, requestId);
        return;
      }
      if (!csrfOk(req, form.get("csrf"), host, secure)) {
        Responses.error(req.response(), req.getHeader("accept"), new ErrorPage(403, "Form expired",
            "The sign-in form could not be verified. Go back to the app and sign in again.", null, requestId));
        return;
      }
      String email = form.get("email") == null ? "" : form.get("email");
      String password = form.get("password") == null ? "" : form.get("password");
      String userAgent = req.getHeader("user-agent");
      vertx.executeBlocking(() -> {
        LocalAccounts.Result r = accounts.orElseThrow().signIn(email, password, clientIp);
        if (r.outcome() != LocalAccounts.Outcome.SUCCESS) {
          return new PasswordOutcome(r.outcome(), null);
        }
        return new PasswordOutcome(r.outcome(), sessions.createCentral(r.user().orElseThrow().identity(), host, null,
            clientIp, userAgent));
      }, false).onComplete(ar -> {
        if (ar.failed()) {
          log.error("password sign-in failed with an internal error", ar.cause());
          Responses.error(req.response(), req.getHeader("accept"), new ErrorPage(500, "Sign-in failed",
              "Something went wrong on our side; try again.", null, requestId));
          return;
        }
        PasswordOutcome o = ar.result();
        switch (o.outcome()) {
          case SUCCESS -> {
            SessionCookies.set(req.response(), SessionCookies.SESSION, o.created().cookieValue(), sessionLifetime, secure);
            SessionCookies.clear(req.response(), SessionCookies.CSRF, secure);
            handBack(req, o.created().session(), request.get(), requestId);
          }
          case INVALID -> showForm(req, token, request.get(), email, "Wrong email or password.", 401, secure);
          case LOCKED, THROTTLED -> showForm(req, token, request.get(), email,
              "Too many failed attempts. Wait 15 minutes and try again.", 429, secure);
        }
      });
    });
  }

  private record PasswordOutcome(LocalAccounts.Outcome outcome, Sessions.Created created) {}

  /** Whether a sign-in is recent enough for the service's re-authentication age, if it has one. */
  private boolean recentEnough(Session central, SignInRequests.Request request) {
    Optional<Duration> age = catalog.get().byHost(request.host()).flatMap(Service::reauthMaxAge);
    return age.isEmpty() || central.authTime().plus(age.get()).isAfter(java.time.Instant.now());
  }

  /** Sends the browser back to the service host that asked, with a single-use code for it. */
  private void handBack(HttpServerRequest req, Session central, SignInRequests.Request request, String requestId) {
    if (request.host().equals(ownHost) && isOwnPage(request)) {
      // The central session's cookie is already on this host: no hand-off needed.
      Responses.redirect(req.response(), request.returnUrl());
      return;
    }
    vertx.executeBlocking(() -> handoffs.create(central, request.host(), request.returnUrl(), request.bindingHash()),
        false).onComplete(ar -> {
          if (ar.failed()) {
            log.error("could not create a hand-off code", ar.cause());
            Responses.error(req.response(), req.getHeader("accept"), new ErrorPage(500, "Sign-in failed",
                "Something went wrong on our side; try again.", null, requestId));
            return;
          }
          URI back = URI.create(request.returnUrl());
          String callback = back.getScheme() + "://" + back.getRawAuthority() + CALLBACK_PATH + "?code="
              + URLEncoder.encode(ar.result(), StandardCharsets.UTF_8);
          Responses.redirect(req.response(), callback);
        });
  }

  /** Ends the central session and every host session under it, then the provider's session if it can. */
  private void signOut(HttpServerRequest req, String host, boolean secure) {
    String cookie = SessionCookies.read(req, SessionCookies.SESSION, secure);
    HttpServerResponse response = req.response();
    SessionCookies.clear(response, SessionCookies.SESSION, secure);
    String origin = origin(req, host, secure);
    Future<Optional<URI>> revoked = cookie == null ? Future.succeededFuture(Optional.empty()) : vertx.executeBlocking(() -> {
      Optional<Session> s = sessions.load(cookie, host);
      s.ifPresent(sessions::revokeFamily);
      return s.flatMap(x -> oidc.logoutUrl(x.identity().provider(), x.idToken(), origin));
    }, false);
    revoked.onComplete(ar -> {
      if (ar.succeeded() && ar.result().isPresent()) {
        Responses.redirect(response, ar.result().get().toString());
      } else {
        Responses.redirect(response, origin + SIGNED_OUT_PATH);
      }
    });
  }

  private static void signedOut(HttpServerRequest req) {
    Responses.html(req.response(), 200, new MessagePage("Signed out",
        "You are signed out of Portcullis and of every app you reached through it.", null, null).render());
  }

  /** scheme://host[:port] of the sign-in host as this client reaches it. */
  private static String origin(HttpServerRequest req, String host, boolean secure) {
    int port = req.authority() == null ? -1 : req.authority().port();
    boolean defaultPort = port < 0 || (secure && port == 443) || (!secure && port == 80);
    return (secure ? "https" : "http") + "://" + host + (defaultPort ? "" : ":" + port);
  }

  /** A sign-in request for this host's own API-token page (signed by us, so the host is ours). */
  private static boolean isOwnPage(SignInRequests.Request r) {
    try {
      URI back = new URI(r.returnUrl());
      return API_TOKEN_PATH.equals(back.getRawPath()) && back.getRawQuery() == null && back.getRawUserInfo() == null
          && back.getHost() != null && back.getHost().toLowerCase(Locale.ROOT).equals(r.host());
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  /**
   * A sign-in request signed by this deployment for an IAP service or the console, returning to that host
   * only, or for this host's own API-token page.
   */
  private Optional<SignInRequests.Request> validRequest(String token) {
    return requests.verify(token).filter(r -> {
      if (r.host().equals(ownHost) && isOwnPage(r)) {
        return true;
      }
      // The console is served by Portcullis itself and always needs sign-in, as an IAP service does.
      Optional<Service> service = catalog.get().byHost(r.host());
      if (!r.host().equals(consoleHost) && (service.isEmpty() || !service.get().iap())) {
        return false;
      }
      try {
        URI back = new URI(r.returnUrl());
        return back.getHost() != null && back.getHost().toLowerCase(Locale.ROOT).equals(r.host())
            && back.getRawUserInfo() == null && ("http".equals(back.getScheme()) || "https".equals(back.getScheme()));
      } catch (java.net.URISyntaxException e) {
        return false;
      }
    });
  }

  private static boolean csrfOk(HttpServerRequest req, String formToken, String host, boolean secure) {
    String cookie = SessionCookies.read(req, SessionCookies.CSRF, secure);
    if (cookie == null || formToken == null || !MessageDigest.isEqual(
        cookie.getBytes(StandardCharsets.US_ASCII), formToken.getBytes(StandardCharsets.US_ASCII))) {
      return false;
    }
    String fetchSite = req.getHeader("sec-fetch-site");
    if (fetchSite != null && !fetchSite.equals("same-origin") && !fetchSite.equals("none")) {
      return false;
    }
    String origin = req.getHeader("origin");
    if (origin != null && !origin.equals("null")) {
      try {
        String originHost = new URI(origin).getHost();
        return originHost != null && originHost.toLowerCase(Locale.ROOT).equals(host);
      } catch (java.net.URISyntaxException e) {
        return false;
      }
    }
    return true;
  }

  private static void badRequest(HttpServerRequest req, String requestId) {
    Responses.error(req.response(), req.getHeader("accept"), new ErrorPage(400, "Sign-in link not valid",
        "This sign-in link is not valid or has expired. Go back to the app and try again.", null, requestId));
  }
}
