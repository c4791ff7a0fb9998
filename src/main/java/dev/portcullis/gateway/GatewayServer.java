package dev.portcullis.gateway;

import dev.portcullis.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The data-plane listener: HTTP/1.1 and h2c on plain sockets, HTTP/2 by ALPN on TLS. One server per core
 * on the same port spreads connections over the event loops. Shutdown stops accepting at once and lets
 * in-flight requests finish until the timeout.
 */
public final class GatewayServer {
  private final Settings settings;
  private final Vertx vertx;
  private final Gateway gateway;
  private final List<HttpServer> servers = new ArrayList<>();
  private int port;
  private volatile boolean listening;

  public GatewayServer(Settings settings, Vertx vertx, Gateway gateway) {
    this.settings = settings;
    this.vertx = vertx;
    this.gateway = gateway;
  }

  /**
   * Binds {@code instances} servers to the configured address; Vert.x shares one socket between servers
   * on the same host and port and hands each connection to one of them. Port 0 (a free port, used by
   * tests) is not shared by Vert.x, so there the first server's port is reused explicitly.
   */
  public Future<Integer> start(int instances) {
    return listen(settings.listen().port()).compose(first -> {
      port = first;
      if (settings.listen().port() == 0) {
        return Future.succeededFuture(first);
      }
      Future<Integer> chain = Future.succeededFuture(first);
      for (int i = 1; i < instances; i++) {
        chain = chain.compose(p -> listen(first));
      }
      return chain;
    }).onSuccess(p -> listening = true);
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
