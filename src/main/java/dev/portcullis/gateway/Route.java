package dev.portcullis.gateway;

import dev.portcullis.config.Settings;
import dev.portcullis.service.Service;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One service's forwarding: its upstream address, timeouts and the proxy chain that streams to it. */
final class Route {
  private static final Logger log = LoggerFactory.getLogger(Route.class);

  final Service service;
  private final WebSocketTunnel tunnel;
  private final Forwarder forwarder;
  final Timer upstreamLatency;
  final GatewayMetrics.Requests requests;
  final long connectMillis;
  final long responseMillis;
  final long idleMillis;
  private final String host;
  private final int port;
  private final boolean ssl;

  Route(Service service, Settings settings, Vertx vertx, HttpClient client, GatewayMetrics metrics) {
    this.service = service;
    this.connectMillis = service.timeouts().connect().orElse(settings.connectTimeout()).toMillis();
    this.responseMillis = service.timeouts().response().orElse(settings.responseTimeout()).toMillis();
    this.idleMillis = service.timeouts().idle().orElse(settings.idleTimeout()).toMillis();
    this.ssl = "https".equals(service.upstream().getScheme());
    this.host = service.upstream().getHost();
    this.port = service.upstream().getPort() > 0 ? service.upstream().getPort() : (ssl ? 443 : 80);
    this.upstreamLatency = metrics.upstreamLatency(service.name());
    this.requests = metrics.requests(service.name());
    this.forwarder = new Forwarder(this, vertx, client, host, port, ssl, connectMillis);
    this.tunnel = new WebSocketTunnel(this, vertx, client, host, port, ssl, connectMillis);
  }

  /**
   * Streams one exchange to the upstream: WebSocket upgrades through the tunnel, everything else through the
   * forwarder. {@code originForm} is the checked request target in origin form; {@code paused} says that an
   * earlier step paused the request, so that it is resumed once its body has somewhere to go. A WebSocket or
   * a streamed response is registered in {@code live} with its {@code holder} (both null without IAP).
   */
  void handle(HttpServerRequest request, String originForm, boolean paused, LiveConnections live,
      LiveConnections.Holder holder) {
    if (request.canUpgradeToWebSocket()) {
      tunnel.open(request, originForm, live, holder);
    } else {
      forwarder.forward(request, originForm, paused, live, holder);
    }
  }

  String name() {
    return service.name();
  }
}
