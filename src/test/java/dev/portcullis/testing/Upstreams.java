package dev.portcullis.testing;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import java.util.concurrent.TimeUnit;

/** Real upstream servers on free loopback ports for tests. */
public final class Upstreams implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();

  /** Starts an HTTP server with the handler and returns its base URL, e.g. http://127.0.0.1:40123. */
  public String http(Handler<HttpServerRequest> handler) {
    return start(handler, null);
  }

  public String http(Handler<HttpServerRequest> handler, Handler<ServerWebSocket> webSockets) {
    return start(handler, webSockets);
  }

  private String start(Handler<HttpServerRequest> handler, Handler<ServerWebSocket> webSockets) {
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0));
    if (webSockets != null) {
      server.webSocketHandler(webSockets);
    }
    server.requestHandler(handler);
    try {
      int port = server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
      return "http://127.0.0.1:" + port;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
