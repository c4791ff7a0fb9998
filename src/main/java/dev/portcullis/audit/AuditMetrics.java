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
  /** Per service, one counter per outcome (by ordinal): no key is built per decision. */
  private final ConcurrentHashMap<String, Counter[]> decisions = new ConcurrentHashMap<>();

  public AuditMetrics(MeterRegistry registry, AuditLog log) {
    this.registry = registry;
    this.next = log;
    FunctionCounter.builder("portcullis.audit.dropped", log, AuditLog::dropped)
        .description("audit events dropped because the audit queue was full").register(registry);
    FunctionCounter.builder("portcullis.audit.write.errors", log, AuditLog::writeErrors)
        .description("audit events that could not be encoded, and batches that could not be written to the audit file")
        .register(registry);
  }

  @Override
  public void record(AuditEvent event) {
    if (event.kind() == AuditEvent.Kind.DECISION) {
      String service = event.service() == null ? "" : event.service();
      Counter[] byOutcome = decisions.get(service);
      if (byOutcome == null) {
        byOutcome = decisions.computeIfAbsent(service, this::counters);
      }
      byOutcome[event.decision().ordinal()].increment();
    }
    next.record(event);
  }

  private Counter[] counters(String service) {
    AuditEvent.Outcome[] outcomes = AuditEvent.Outcome.values();
    Counter[] out = new Counter[outcomes.length];
    for (AuditEvent.Outcome o : outcomes) {
      out[o.ordinal()] = Counter.builder("portcullis.audit.decisions")
          .description("gateway decisions on services with IAP on")
          .tag("service", service).tag("outcome", o.name().toLowerCase(java.util.Locale.ROOT)).register(registry);
    }
    return out;
  }
}
