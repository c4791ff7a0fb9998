package dev.portcullis.gateway;

import dev.portcullis.config.Settings;
import dev.portcullis.service.Service;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;

/** One service's forwarding: its upstream address, timeouts and the proxy chain that streams to it. */
final class Route {
  final Service service;
  private final WebSocketTunnel tunnel;
  private final Forwarder forwarder;
  final Timer upstreamLatency;
  final GatewayMetrics.Requests requests;
  final long responseMillis;
  final long idleMillis;

  Route(Service service, Settings settings, Vertx vertx, HttpClient client, GatewayMetrics metrics) {
    this.service = service;
    long connectMillis = service.timeouts().connect().orElse(settings.connectTimeout()).toMillis();
    this.responseMillis = service.timeouts().response().orElse(settings.responseTimeout()).toMillis();
    this.idleMillis = service.timeouts().idle().orElse(settings.idleTimeout()).toMillis();
    boolean ssl = "https".equals(service.upstream().getScheme());
    int port = service.upstream().getPort() > 0 ? service.upstream().getPort() : (ssl ? 443 : 80);
    // Read-only once built: Vert.x only reads a request's options when it starts the request.
    RequestOptions upstream = new RequestOptions().setHost(service.upstream().getHost()).setPort(port).setSsl(ssl)
        .setConnectTimeout(connectMillis);
    this.upstreamLatency = metrics.upstreamLatency(service.name());
    this.requests = metrics.requests(service.name());
    this.forwarder = new Forwarder(this, vertx, client, upstream);
    this.tunnel = new WebSocketTunnel(this, vertx, client, upstream);
  }

  /**
   * Streams one exchange to the upstream: WebSocket upgrades through the tunnel, everything else through the
   * forwarder. {@code originForm} is the checked request target in origin form; {@code paused} says that an
   * earlier step paused the request, so that it is resumed once its body has somewhere to go. A WebSocket or
   * a streamed response is registered through {@code watch} (null: not watched).
   */
  void handle(HttpServerRequest request, String originForm, boolean paused, LiveConnections.Watch watch) {
    if (request.canUpgradeToWebSocket()) {
      tunnel.open(request, originForm, watch);
    } else {
      forwarder.forward(request, originForm, paused, watch);
    }
  }

  String name() {
    return service.name();
  }
}
