package dev.portcullis.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The demo upstream behind the {@code hello} service: it answers with the request it received, so a new
 * user sees exactly what an app behind Portcullis sees (method, path, headers) as HTML or JSON, and
 * echoes WebSocket messages back.
 */
public final class HelloApp {
  private final Vertx vertx;
  private HttpServer server;

  public HelloApp(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Listens on a free loopback port and returns it. */
  public Future<Integer> start() {
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .webSocketHandler(ws -> {
          ws.textMessageHandler(ws::writeTextMessage);
          ws.binaryMessageHandler(ws::writeBinaryMessage);
        })
        .requestHandler(this::answer);
    return server.listen().map(HttpServer::actualPort);
  }

  private void answer(HttpServerRequest request) {
    request.body().onComplete(body -> {
      JsonArray headers = new JsonArray();
      for (Map.Entry<String, String> h : request.headers()) {
        headers.add(new JsonArray().add(h.getKey()).add(h.getValue()));
      }
      JsonObject echo = new JsonObject()
          .put("service", "hello")
          .put("method", request.method().name())
          .put("path", request.path())
          .put("uri", request.uri())
          .put("headers", headers)
          .put("body_bytes", body.succeeded() ? body.result().length() : 0);
      String accept = request.getHeader("accept");
      boolean html = accept != null && accept.contains("text/html") && !"json".equals(request.getParam("format"));
      request.response().putHeader("cache-control", "no-store");
      if (html) {
        request.response().putHeader("content-type", "text/html; charset=utf-8")
            .end(HelloPage.render(echo));
      } else {
        request.response().putHeader("content-type", "application/json").end(echo.encodePrettily());
      }
    });
  }

  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
