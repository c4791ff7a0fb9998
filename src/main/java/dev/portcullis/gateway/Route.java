package dev.portcullis.gateway;

import dev.portcullis.config.Settings;
import dev.portcullis.service.Service;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One service's forwarding: its upstream address, timeouts and the proxy chain that streams to it. */
final class Route {
  private static final Logger log = LoggerFactory.getLogger(Route.class);

  final Service service;
  private final HttpProxy proxy;
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
    this.proxy = HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(true), client);
    proxy.origin(this::openUpstream);
    // Added with WebSocket support: the proxy carries only upgrades, and an interceptor added without it would
    // not see them.
    proxy.addInterceptor(new UpstreamInterceptor(this), true);
  }

  /**
   * Streams one exchange to the upstream: WebSocket upgrades through vertx-http-proxy, everything else
   * through the forwarder. {@code originForm} is the checked request target in origin form; {@code paused}
   * says that an earlier step paused the request, so that it is resumed once its body has somewhere to go.
   */
  void handle(HttpServerRequest request, String originForm, boolean paused) {
    if (request.canUpgradeToWebSocket()) {
      proxy.handle(request);
    } else {
      forwarder.forward(request, originForm, paused);
    }
  }

  private Future<HttpClientRequest> openUpstream(ProxyContext ctx) {
    RequestOptions options = new RequestOptions()
        .setHost(host)
        .setPort(port)
        .setSsl(ssl)
        .setConnectTimeout(connectMillis);
    return ctx.client().request(options).onSuccess(r -> {
      // Failures reach the proxy through the response (a 502/504 page, or a reset towards the client).
      // Without a handler Vert.x logs each one at ERROR, e.g. every WebSocket that closes.
      r.exceptionHandler(e -> log.debug("upstream exchange for {} ended: {}", service.name(), e.toString()));
    });
  }

  String name() {
    return service.name();
  }
}
