package dev.portcullis.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/** Requests by service and status, and upstream latency by service. Meters are looked up once and kept. */
public final class GatewayMetrics {
  /** The service label for requests that matched no service. */
  static final String NO_SERVICE = "-";

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> requests = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> latency = new ConcurrentHashMap<>();

  public GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void request(String service, int status) {
    counter(service, status).increment();
  }

  private Counter counter(String service, int status) {
    String key = service + '|' + status;
    Counter c = requests.get(key);
    if (c == null) {
      c = requests.computeIfAbsent(key, k -> Counter.builder("portcullis.requests")
          .description("Requests answered, by service and HTTP status")
          .tag("service", service)
          .tag("code", Integer.toString(status))
          .register(registry));
    }
    return c;
  }

  /** One service's request counters, kept by status so that counting a request looks nothing up by name. */
  Requests requests(String service) {
    return new Requests(service);
  }

  final class Requests {
    private final String service;
    private final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(600);

    private Requests(String service) {
      this.service = service;
    }

    void count(int status) {
      if (status < 0 || status >= byStatus.length()) {
        request(service, status);
        return;
      }
      Counter c = byStatus.get(status);
      if (c == null) {
        c = counter(service, status);
        byStatus.set(status, c);
      }
      c.increment();
    }
  }

  Timer upstreamLatency(String service) {
    return latency.computeIfAbsent(service, s -> Timer.builder("portcullis.upstream.latency")
        .description("Time from sending a request upstream to receiving its response headers")
        .tag("service", s)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(60))
        .register(registry));
  }
}
