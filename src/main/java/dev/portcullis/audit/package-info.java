/**
 * The audit log: decision and admin events, the hash-chained local file they are group-committed to,
 * the store copy they are queried from, and the verifier that finds the first tampered record.
 *
 * <p>The request path only enqueues ({@link dev.portcullis.audit.AuditLog#record}); one writer thread
 * owns the file, and one store thread copies what the file has committed into {@code audit_blocks}.
 */
package dev.portcullis.audit;
