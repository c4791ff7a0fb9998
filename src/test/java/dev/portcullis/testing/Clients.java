package dev.portcullis.testing;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.http.HttpClientInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

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
    return run(((HttpClientInternal) client).vertx(), () -> client.request(options)
        .compose(r -> body == null ? r.send() : r.send(body))
        .compose(r -> r.body().map(b -> new Reply(r.statusCode(), r.version(), r.headers(), b))));
  }

  /**
   * Runs a client exchange on a Vert.x context and waits for its outcome. Started from the test's own thread,
   * a response can come before the chain has attached its handlers, and its body is then lost: about one
   * request in a thousand hangs.
   */
  public static <T> T run(Vertx vertx, Supplier<Future<T>> exchange) {
    return run(vertx, exchange, 20);
  }

  public static <T> T run(Vertx vertx, Supplier<Future<T>> exchange, long seconds) {
    Promise<T> outcome = Promise.promise();
    vertx.runOnContext(v -> exchange.get().onComplete(outcome));
    return await(outcome.future(), seconds);
  }

  /** Like {@link #run} for an exchange expected to fail; returns the failure. */
  public static Throwable failureOf(Vertx vertx, Supplier<Future<?>> exchange) {
    Promise<Object> outcome = Promise.promise();
    vertx.runOnContext(v -> exchange.get().<Object>map(r -> r).onComplete(outcome));
    try {
      Object result = outcome.future().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + result);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no outcome within 20 s", e);
    }
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
