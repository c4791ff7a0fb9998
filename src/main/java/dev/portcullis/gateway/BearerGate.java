package dev.portcullis.gateway;

import dev.portcullis.authn.workload.BearerException;
import dev.portcullis.authn.workload.WorkloadAuthenticator;
import dev.portcullis.iam.Authorizer;
import dev.portcullis.iam.Decision;
import dev.portcullis.iam.Permissions;
import dev.portcullis.iam.Principal;
import dev.portcullis.iam.RequestFacts;
import dev.portcullis.iam.ResourceName;
import dev.portcullis.pages.Responses;
import dev.portcullis.service.Service;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Programmatic callers of an IAP service, as Google's IAP treats them. {@code Proxy-Authorization: Bearer}
 * is used first, and then the app's own {@code Authorization} reaches it untouched; otherwise
 * {@code Authorization: Bearer} is used and removed before forwarding. A token that does not verify gets
 * 401 JSON with {@code WWW-Authenticate: Bearer error="invalid_token"}: never a redirect, and never a
 * fall-back to the session cookie. A verified caller is then decided by IAM like anyone else: 403 JSON
 * when not allowed.
 */
final class BearerGate {
  private static final Logger log = LoggerFactory.getLogger(BearerGate.class);

  /** Where a bearer token came from, or why the headers cannot be used. */
  record Credential(String token, boolean proxyAuthorization, String problem) {}

  private final Vertx vertx;
  private final WorkloadAuthenticator authenticator;
  private final Authorizer authorizer;

  private final dev.portcullis.authn.DisabledUsers disabled;

  private final DecisionAudit audit;

  BearerGate(Vertx vertx, WorkloadAuthenticator authenticator, Authorizer authorizer,
      dev.portcullis.authn.DisabledUsers disabled, DecisionAudit audit) {
    this.audit = audit;
    this.disabled = disabled;
    this.vertx = vertx;
    this.authenticator = authenticator;
    this.authorizer = authorizer;
  }

  /** The bearer credential of a request, if it carries one for Portcullis. */
  static Optional<Credential> credential(HttpServerRequest req) {
    Optional<Credential> proxy = bearer(req.headers().getAll("proxy-authorization"), true);
    return proxy.isPresent() ? proxy : bearer(req.headers().getAll("authorization"), false);
  }

  private static Optional<Credential> bearer(List<String> values, boolean proxy) {
    List<String> bearers = values.stream().filter(v -> v.regionMatches(true, 0, "Bearer ", 0, 7)).toList();
    if (bearers.isEmpty()) {
      return Optional.empty();
    }
    if (values.size() > 1) {
      return Optional.of(new Credential(null, proxy, "send one bearer token, in one header"));
    }
    String token = bearers.get(0).substring(7).trim();
    return Optional.of(token.isEmpty() ? new Credential(null, proxy, "the bearer token is empty")
        : new Credential(token, proxy, null));
  }

  void handle(HttpServerRequest req, Exchange ex, Service target, Credential credential,
      BiConsumer<HttpServerRequest, Caller> allow) {
    if (credential.problem() != null) {
      invalid(req, ex, target, credential.problem());
      return;
    }
    String pathAndQuery = RequestTarget.originForm(req.uri());
    int query = pathAndQuery.indexOf('?');
    String rawPath = query < 0 ? pathAndQuery : pathAndQuery.substring(0, query);
    String origin = ex.origin();
    try {
      Optional<Principal> cached = authenticator.cached(credential.token(), origin, rawPath);
      if (cached.isPresent()) {
        decide(req, ex, target, credential, cached.get(), allow);
        return;
      }
    } catch (BearerException e) {
      invalid(req, ex, target, e.getMessage());
      return;
    }
    req.pause();
    vertx.executeBlocking(() -> authenticator.authenticate(credential.token(), origin, rawPath), false)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            decide(req, ex, target, credential, ar.result(), allow);
            return;
          }
          req.resume();
          if (ar.cause() instanceof BearerException e) {
            invalid(req, ex, target, e.getMessage());
          } else {
            log.error("verifying a bearer token for {} failed; refusing", target.name(), ar.cause());
            audit.refused(req, ex, target, dev.portcullis.audit.AuditEvent.Outcome.ERROR,
                "the bearer token could not be checked");
            answer(req, ex, 401, "UNAUTHENTICATED", "Invalid bearer token: the token could not be checked just now; "
                + "try again.", "the token could not be checked just now; try again");
          }
        });
  }

  private void decide(HttpServerRequest req, Exchange ex, Service target, Credential credential, Principal principal,
      BiConsumer<HttpServerRequest, Caller> allow) {
    Decision decision;
    if (principal.kind() == Principal.Kind.USER && disabled.containsEmail(principal.email())) {
      // A person disabled in Portcullis stays out, whichever issuer vouches for them.
      decision = Decision.deny(principal.memberKey() + " is disabled");
    } else try {
      decision = authorizer.decide(Optional.of(principal), ResourceName.service(target.project(), target.name()),
          Permissions.ACCESS, new RequestFacts(ex.host(), req.path(), req.method().name(), Instant.now(),
              ex.clientIp()));
    } catch (RuntimeException e) {
      log.error("IAM decision failed for {} on {}; denying", principal.memberKey(), target.name(), e);
      decision = Decision.deny(DecisionAudit.INTERNAL_ERROR);
    }
    audit.bearer(req, ex, target, principal, decision);
    if (decision.allowed()) {
      // The credential was for Portcullis: it goes no further. Proxy-Authorization is hop-by-hop anyway.
      req.headers().remove("proxy-authorization");
      if (!credential.proxyAuthorization()) {
        req.headers().remove("authorization");
      }
      WorkloadAuthenticator.Held held = authenticator.held(credential.token());
      allow.accept(req, Caller.of(principal, credential.token(), held.expiry(), held.keyId()));
      return;
    }
    req.resume();
    log.debug("request {} by {} to {} denied: {}", ex.requestId(), principal.memberKey(), target.name(),
        decision.reason());
    answer(req, ex, 403, "PERMISSION_DENIED", principal.memberKey() + " is not allowed to reach " + target.name()
        + "; an administrator can grant it roles/iap.httpsResourceAccessor", null);
  }

  private void invalid(HttpServerRequest req, Exchange ex, Service target, String description) {
    audit.refused(req, ex, target, dev.portcullis.audit.AuditEvent.Outcome.DENY, "invalid bearer token: " + description);
    answer(req, ex, 401, "UNAUTHENTICATED", "Invalid bearer token: " + description + ".", description);
  }

  private static void answer(HttpServerRequest req, Exchange ex, int status, String code, String message,
      String description) {
    var response = Responses.own(req.response()).setStatusCode(status).putHeader("content-type", "application/json");
    if (description != null) {
      response.putHeader("www-authenticate", "Bearer realm=\"portcullis\", error=\"invalid_token\", "
          + "error_description=\"" + quotable(description) + "\"");
    }
    response.end(new JsonObject()
        .put("error", new JsonObject().put("code", status).put("status", code).put("message", message))
        .put("request_id", ex.requestId()).encode());
  }

  /** Our own fixed messages only; still, nothing that could end the quoted string or the header. */
  private static String quotable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      b.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '\'');
    }
    return b.toString();
  }
}
