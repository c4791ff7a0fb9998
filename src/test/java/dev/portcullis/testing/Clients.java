package dev.portcullis.testing;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Vert.x client helpers for end-to-end tests: requests to a service by name, and an echoing upstream. */
public final class Clients {
  private Clients() {}

  /** A whole response, its body read inside the future chain. */
  public record Reply(int status, HttpVersion version, MultiMap headers, Buffer body) {
    public String header(String name) {
      return headers.get(name);
    }

    public JsonObject json() {
      return body.toJsonObject();
    }

    public String text() {
      return body.toString();
    }
  }

  /**
   * A request to {@code service} on Portcullis: the connection goes to 127.0.0.1 (names under .localhost
   * do not resolve in Java) while Host, or :authority on HTTP/2, names the service.
   */
  public static RequestOptions to(TestPortcullis portcullis, String service, HttpMethod method, String uri) {
    return new RequestOptions()
        .setServer(SocketAddress.inetSocketAddress(portcullis.port(), "127.0.0.1"))
        .setHost(service + "." + portcullis.portcullis().settings().domain())
        .setPort(portcullis.port())
        .setMethod(method)
        .setURI(uri);
  }

  public static Reply send(HttpClient client, RequestOptions options) {
    return send(client, options, null);
  }

  public static Reply send(HttpClient client, RequestOptions options, Buffer body) {
    return await(client.request(options)
        .compose(r -> body == null ? r.send() : r.send(body))
        .compose(r -> r.body().map(b -> new Reply(r.statusCode(), r.version(), r.headers(), b))));
  }

  public static <T> T await(Future<T> future) {
    return await(future, 20);
  }

  public static <T> T await(Future<T> future, long seconds) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("request failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * An upstream that answers with what it received, as JSON: method, uri, version, headers (a list of
   * [name, value] pairs, names lower-cased, in order) and the body as text.
   */
  public static Handler<HttpServerRequest> echo() {
    return req -> req.body().onComplete(ar -> {
      JsonArray headers = new JsonArray();
      for (Map.Entry<String, String> h : req.headers()) {
        headers.add(new JsonArray().add(h.getKey().toLowerCase(Locale.ROOT)).add(h.getValue()));
      }
      JsonObject seen = new JsonObject()
          .put("method", req.method().name())
          .put("uri", req.uri())
          .put("version", req.version().name())
          .put("headers", headers)
          .put("body", ar.succeeded() ? ar.result().toString() : "<failed: " + ar.cause() + ">");
      req.response().putHeader("content-type", "application/json").end(seen.encode());
    });
  }

  /** All values of a header in an {@link #echo()} answer. */
  public static List<String> seen(JsonObject echo, String name) {
    return echo.getJsonArray("headers").stream()
        .map(JsonArray.class::cast)
        .filter(h -> h.getString(0).equals(name.toLowerCase(Locale.ROOT)))
        .map(h -> h.getString(1))
        .toList();
  }

  /** The header names in an {@link #echo()} answer. */
  public static List<String> seenNames(JsonObject echo) {
    return echo.getJsonArray("headers").stream().map(JsonArray.class::cast).map(h -> h.getString(0)).toList();
  }
}
