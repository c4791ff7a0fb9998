package dev.portcullis.authn;

import dev.portcullis.authn.oidc.AuthorizationStart;
import dev.portcullis.authn.oidc.ExternalIdentity;
import dev.portcullis.authn.oidc.OidcProvider;
import dev.portcullis.authn.oidc.OidcProviders;
import dev.portcullis.authn.oidc.SignInException;
import dev.portcullis.pages.ErrorPage;
import dev.portcullis.pages.Responses;
import dev.portcullis.session.SessionCookies;
import dev.portcullis.session.Sessions;
import dev.portcullis.session.Tokens;
import dev.portcullis.store.SignInStateRepository;
import dev.portcullis.store.SignInStateRepository.LoginState;
import dev.portcullis.store.UserRepository;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The round trip to an OpenID Connect provider: state, nonce and PKCE verifier kept server-side and bound
 * to the browser by a short-lived cookie, each used once; the ID token checked; the user recorded; a new
 * central session. Then the sign-in host hands the sign-in back to the service that asked.
 */
final class OidcSignIn {
  private static final Logger log = LoggerFactory.getLogger(OidcSignIn.class);
  static final String START_PREFIX = "/_portcullis/signin/oidc/";
  static final String CALLBACK_PATH = "/_portcullis/oidc/callback";
  private static final Duration LOGIN_LIFETIME = Duration.ofMinutes(10);

  /** A finished sign-in: the new central session and the request to hand back to. */
  record Completed(Sessions.Created session, String signInRequest) {}

  private final Vertx vertx;
  private final OidcProviders providers;
  private final SignInStateRepository states;
  private final UserRepository users;
  private final Sessions sessions;
  private final Clock clock;

  OidcSignIn(Vertx vertx, OidcProviders providers, SignInStateRepository states, UserRepository users,
      Sessions sessions, Clock clock) {
    this.vertx = vertx;
    this.providers = providers;
    this.states = states;
    this.users = users;
    this.sessions = sessions;
    this.clock = clock;
  }

  /** Sends the browser to the provider; {@code signInRequest} was verified by the caller. */
  void start(HttpServerRequest req, String providerId, String signInRequest, String authOrigin, String requestId,
      boolean secure) {
    String binding = Tokens.newToken();
    req.pause();
    vertx.executeBlocking(() -> {
      OidcProvider provider = providers.get(providerId).orElse(null);
      if (provider == null) {
        return Optional.<URI>empty();
      }
      AuthorizationStart start = provider.begin(redirectUri(authOrigin));
      states.putLoginState(Tokens.hash(start.state()), Tokens.hash(binding),
          new LoginState(providerId, start.nonce(), start.codeVerifier(), signInRequest), clock.instant().plus(LOGIN_LIFETIME));
      return Optional.of(start.authorizationUrl());
    }, false).onComplete(ar -> {
      req.resume();
      if (ar.failed()) {
        log.warn("sign-in with provider {} could not start: {}", providerId, ar.cause().getMessage());
        Responses.error(req.response(), req.getHeader("accept"), new ErrorPage(503, "Identity provider unavailable",
            "The identity provider could not be reached. Try again in a moment.", null, requestId));
      } else if (ar.result().isEmpty()) {
        Responses.error(req.response(), req.getHeader("accept"), new ErrorPage(404, "No such identity provider",
            "This deployment has no identity provider '" + providerId + "'.", null, requestId));
      } else {
        SessionCookies.set(req.response(), SessionCookies.LOGIN, binding, LOGIN_LIFETIME, secure);
        Responses.redirect(req.response(), ar.result().get().toString());
      }
    });
  }

  /**
   * The provider's answer. The state must be one we issued, to this browser, unused and unexpired;
   * then the code is exchanged and the ID token checked. Calls back with the new session, or writes
   * the refusal itself and calls back with nothing.
   */
  void callback(HttpServerRequest req, String authHost, String authOrigin, String clientIp, String requestId,
      boolean secure, java.util.function.Consumer<Completed> done) {
    String state = req.getParam("state");
    String code = req.getParam("code");
    String error = req.getParam("error");
    String binding = SessionCookies.read(req, SessionCookies.LOGIN, secure);
    String userAgent = req.getHeader("user-agent");
    SessionCookies.clear(req.response(), SessionCookies.LOGIN, secure);
    req.pause();
    vertx.executeBlocking(() -> {
      if (state == null || binding == null) {
        return Outcome.refused("The sign-in could not be matched to this browser. Start again from the app.");
      }
      Optional<LoginState> login = states.takeLoginState(Tokens.hash(state), Tokens.hash(binding), clock.instant());
      if (login.isEmpty()) {
        return Outcome.refused("This sign-in was already used, has expired, or was started in another browser. "
            + "Start again from the app.");
      }
      if (error != null || code == null) {
        return Outcome.refused("The identity provider did not sign you in.");
      }
      OidcProvider provider = providers.get(login.get().provider()).orElseThrow();
      ExternalIdentity id;
      try {
        id = provider.complete(code, redirectUri(authOrigin), login.get().codeVerifier(), login.get().nonce());
      } catch (SignInException e) {
        log.info("sign-in with {} refused: {}", provider.id(), e.reason().code());
        return Outcome.refused(refusal(e));
      }
      var user = users.upsertExternal(Tokens.newPublicId(), provider.id(), provider.id() + ":" + id.subject(),
          id.email(), id.name());
      if (user.disabled()) {
        return Outcome.refused("Your account is disabled in Portcullis. Ask an administrator.");
      }
      return new Outcome(new Completed(sessions.createCentral(
          user.identity().withHostedDomain(id.hostedDomain()), authHost, id.idToken(), clientIp,
          userAgent), login.get().signInRequest()), null);
    }, false).onComplete(ar -> {
      req.resume();
      if (ar.failed()) {
        log.error("sign-in callback failed", ar.cause());
        Responses.error(req.response(), req.getHeader("accept"), new ErrorPage(503, "Sign-in failed",
            "The identity provider could not be reached, or something went wrong on our side. Try again.",
            null, requestId));
      } else if (ar.result().refusal() != null) {
        Responses.error(req.response(), req.getHeader("accept"), new ErrorPage(403, "Sign-in refused",
            ar.result().refusal(), null, requestId));
      } else {
        done.accept(ar.result().completed());
      }
    });
  }

  private record Outcome(Completed completed, String refusal) {
    static Outcome refused(String why) {
      return new Outcome(null, why);
    }
  }

  private static String refusal(SignInException e) {
    return switch (e.reason()) {
      case UNVERIFIED_EMAIL -> "Your identity provider has not verified your email address.";
      case DOMAIN_NOT_ALLOWED -> "Accounts of your domain may not sign in here.";
      case MISSING_EMAIL, INVALID_EMAIL -> "Your identity provider did not give a usable email address.";
      default -> "The identity provider's answer could not be verified (" + e.reason().code() + ").";
    };
  }

  /** Where to go after the provider's own sign-out, when it offers RP-initiated logout. */
  Optional<URI> logoutUrl(String providerId, String idToken, String authOrigin) {
    if (idToken == null) {
      return Optional.empty();
    }
    try {
      return providers.get(providerId).flatMap(p -> p.endSessionEndpoint().map(e ->
          p.logoutUrl(idToken, URI.create(authOrigin + SignInHost.SIGNED_OUT_PATH))));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  static URI redirectUri(String authOrigin) {
    return URI.create(authOrigin + CALLBACK_PATH);
  }
}
