package dev.portcullis.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

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
    String key = service + '|' + status;
    Counter c = requests.get(key);
    if (c == null) {
      c = requests.computeIfAbsent(key, k -> Counter.builder("portcullis.requests")
          .description("Requests answered, by service and HTTP status")
          .tag("service", service)
          .tag("code", Integer.toString(status))
          .register(registry));
    }
    c.increment();
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
