package dev.portcullis.audit;

/**
 * Where the request path and the admin API hand audit events. Implementations must not block:
 * {@link AuditLog#record} only offers to a bounded queue.
 */
@FunctionalInterface
public interface AuditSink {
  /** Audits nothing: for tests and for callers built before auditing is configured. */
  AuditSink NONE = event -> {};

  void record(AuditEvent event);
}
