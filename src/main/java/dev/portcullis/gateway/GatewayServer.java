package dev.portcullis.gateway;

import dev.portcullis.config.Settings;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The data-plane listener: HTTP/1.1 and h2c on plain sockets, HTTP/2 by ALPN on TLS. One server per core
 * on the same port, each on its own event loop, spreads connections over the cores. Shutdown stops
 * accepting at once and lets in-flight requests finish until the timeout.
 */
public final class GatewayServer {
  private final Settings settings;
  private final Vertx vertx;
  private final Gateway gateway;
  private final List<HttpServer> servers = new ArrayList<>();
  private volatile int port;
  private volatile boolean listening;

  public GatewayServer(Settings settings, Vertx vertx, Gateway gateway) {
    this.settings = settings;
    this.vertx = vertx;
    this.gateway = gateway;
  }

  /**
   * Binds {@code instances} servers to the configured address, each on its own event loop; Vert.x shares
   * one socket between servers on the same host and port and hands each connection to one of them. The
   * servers are deployed as verticle instances because that is what gives each its own event loop: a
   * server that starts listening from inside another server's callback runs on that server's loop, and
   * all connections would then be served by one thread. Port 0 (a free port, used by tests) is not
   * shared by Vert.x, so there one server is bound.
   */
  public Future<Integer> start(int instances) {
    int requested = settings.listen().port();
    int count = requested == 0 ? 1 : Math.max(1, instances);
    return vertx.deployVerticle(Listener::new, new DeploymentOptions().setInstances(count))
        .onSuccess(id -> listening = true).map(id -> port);
  }

  /** One server on the event loop of its own deployment context. */
  private final class Listener extends VerticleBase {
    @Override
    public Future<?> start() {
      return listen(settings.listen().port()).onSuccess(p -> port = p);
    }
  }

  private Future<Integer> listen(int p) {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(settings.listen().host())
        .setPort(p)
        .setHandle100ContinueAutomatically(true)
        .setMaxHeaderSize(32 * 1024)
        .setCompressionSupported(false)
        .setDecompressionSupported(false)
        .setHttp2ClearTextEnabled(true)
        .setTcpNoDelay(true);
    if (settings.tls()) {
      options.setSsl(true)
          .setUseAlpn(true)
          .setKeyCertOptions(new PemKeyCertOptions()
              .setCertPath(settings.tlsCertFile().orElseThrow().toString())
              .setKeyPath(settings.tlsKeyFile().orElseThrow().toString()));
    }
    HttpServer server = vertx.createHttpServer(options).requestHandler(gateway);
    synchronized (servers) {
      servers.add(server);
    }
    return server.listen().map(HttpServer::actualPort);
  }

  /** True from a successful start until shutdown begins: what /readyz reports for the proxy. */
  public boolean listening() {
    return listening;
  }

  public int port() {
    return port;
  }

  /** Stops accepting now; open exchanges may finish until the timeout, then are closed. */
  public Future<Void> shutdown(long timeoutMillis) {
    listening = false;
    List<Future<Void>> all = new ArrayList<>();
    synchronized (servers) {
      for (HttpServer s : servers) {
        all.add(s.shutdown(timeoutMillis, TimeUnit.MILLISECONDS));
      }
    }
    return Future.join(all).mapEmpty();
  }
}
