package dev.portcullis.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts decisions by service and outcome ({@code portcullis_audit_decisions_total}) on their way to
 * the log, and exposes the log's dropped events and write errors, which should both stay at zero.
 */
public final class AuditMetrics implements AuditSink {
  private final MeterRegistry registry;
  private final AuditSink next;
  private final ConcurrentHashMap<String, Counter> decisions = new ConcurrentHashMap<>();

  public AuditMetrics(MeterRegistry registry, AuditLog log) {
    this.registry = registry;
    this.next = log;
    FunctionCounter.builder("portcullis.audit.dropped", log, AuditLog::dropped)
        .description("audit events dropped because the audit queue was full").register(registry);
    FunctionCounter.builder("portcullis.audit.write.errors", log, AuditLog::writeErrors)
        .description("audit batches that could not be written to the audit file").register(registry);
  }

  @Override
  public void record(AuditEvent event) {
    if (event.kind() == AuditEvent.Kind.DECISION) {
      String service = event.service() == null ? "" : event.service();
      String outcome = event.decision().name().toLowerCase();
      decisions.computeIfAbsent(service + '\u0000' + outcome, k -> Counter.builder("portcullis.audit.decisions")
          .description("gateway decisions on services with IAP on")
          .tag("service", service).tag("outcome", outcome).register(registry)).increment();
    }
    next.record(event);
  }
}
