package dev.portcullis.gateway;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditEvent.Outcome;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.authn.Identity;
import dev.portcullis.iam.Decision;
import dev.portcullis.iam.Principal;
import dev.portcullis.service.Service;
import io.vertx.core.http.HttpServerRequest;
import java.time.Instant;

/**
 * Turns one gateway decision into an audit event and enqueues it; never waits. The path is recorded
 * without its query string unless {@code audit.include_query} is on (a query string can carry secrets).
 */
final class DecisionAudit {
  static final String INTERNAL_ERROR = "internal error while deciding";

  private final AuditSink sink;
  private final boolean includeQuery;

  DecisionAudit(AuditSink sink, boolean includeQuery) {
    this.sink = sink;
    this.includeQuery = includeQuery;
  }

  /**
   * A request refused before IAM could decide: a bearer token that is not valid (DENY), or the session
   * store unreachable (ERROR). The caller is not known, so it is recorded as anonymous.
   */
  void refused(HttpServerRequest req, Exchange ex, Service target, Outcome outcome, String reason) {
    record(req, ex, target, AuditEvent.Principal.ANONYMOUS, outcome, reason);
  }

  private String path(HttpServerRequest req) {
    if (!includeQuery) {
      return req.path();
    }
    String q = req.query();
    return q == null ? req.path() : req.path() + "?" + q;
  }

  /** A decision on a signed-in person (identity present) or an anonymous caller (identity null). */
  void session(HttpServerRequest req, Exchange ex, Service target, Identity identity, Decision decision) {
    record(req, ex, target, identity == null ? AuditEvent.Principal.ANONYMOUS : who(identity), decision);
  }

  /** A decision on a bearer caller. */
  void bearer(HttpServerRequest req, Exchange ex, Service target, Principal principal, Decision decision) {
    record(req, ex, target, who(principal), decision);
  }

  /** A person signed in through a session, as the audit log names them. */
  static AuditEvent.Principal who(Identity identity) {
    return new AuditEvent.Principal(identity.email(), identity.subject(), identity.provider(), "user");
  }

  /** A bearer caller, as the audit log names it. */
  static AuditEvent.Principal who(Principal principal) {
    String kind = principal.kind() == Principal.Kind.SERVICE_ACCOUNT ? "serviceAccount" : "user";
    return new AuditEvent.Principal(principal.email(), principal.memberKey(), "bearer", kind);
  }

  private void record(HttpServerRequest req, Exchange ex, Service target, AuditEvent.Principal who,
      Decision decision) {
    Outcome outcome = decision.allowed() ? Outcome.ALLOW
        : INTERNAL_ERROR.equals(decision.reason()) ? Outcome.ERROR : Outcome.DENY;
    record(req, ex, target, who, outcome, decision.reason());
  }

  private void record(HttpServerRequest req, Exchange ex, Service target, AuditEvent.Principal who, Outcome outcome,
      String reason) {
    sink.record(AuditEvent.decision(Instant.now(), ex.requestId(), who, ex.clientIp(), req.getHeader("user-agent"),
        target.name(), req.method().name(), ex.host(), path(req), outcome, reason,
        (System.nanoTime() - ex.startNanos()) / 1_000));
  }
}
