package dev.portcullis.gateway;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.Pipe;
import io.vertx.core.streams.ReadStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards one service's ordinary HTTP exchanges (everything but WebSocket upgrades, which go through
 * vertx-http-proxy) with Vert.x's own HTTP server and pooled client: the request head is copied once,
 * straight into the upstream request, and both bodies are piped with back-pressure, never buffered.
 *
 * <p>It does what vertx-http-proxy did for these exchanges, with the gateway's rules: hop-by-hop headers
 * dropped both ways, Host set to the upstream, bodies framed as they came (Content-Length, chunked, or for
 * an HTTP/2 body of unknown length chunked once data arrives), HTTP/1.0 clients given bodies of unknown
 * length delimited by closing the connection, the upstream's Date kept verbatim (one is added when it sends
 * none), and a 502/504 page naming the service when the upstream cannot be reached or does not answer in
 * time. Measured against vertx-http-proxy on the same exchange (docs/benchmarks.md), it spends markedly
 * less CPU per request: the proxy copies each header map twice and chains about ten futures per exchange.
 *
 * <p>Every step of an exchange runs on the event loop of the client's connection, so its state needs no
 * locking.
 */
final class Forwarder {
  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);

  private final Route route;
  private final Vertx vertx;
  private final HttpClient client;
  /** Read-only after construction: Vert.x only reads a request's options when it starts the request. */
  private final RequestOptions options;
  private final Handler<Throwable> upstreamEnded;

  Forwarder(Route route, Vertx vertx, HttpClient client, RequestOptions options) {
    this.route = route;
    this.vertx = vertx;
    this.client = client;
    this.options = options;
    this.upstreamEnded = e -> log.debug("upstream exchange for {} ended: {}", route.name(), e.toString());
  }

  /**
   * {@code originForm} is the request's target in origin form, as the gateway checked it; {@code paused} says
   * that an earlier step (the IAP gate) paused the request.
   */
  void forward(HttpServerRequest request, String originForm, boolean paused, LiveConnections.Watch watch) {
    MultiMap headers = request.headers();
    // As vertx-http-proxy: a transfer coding other than chunked alone cannot be framed for the upstream.
    Boolean chunked = chunked(headers);
    if (chunked == null) {
      request.resume();
      request.response().setStatusCode(400).putHeader("content-length", "0").end();
      return;
    }
    new Exchange(request, originForm, chunked, watch).start(paused);
  }

  /** True for "chunked", false for no Transfer-Encoding, null for any other transfer coding. */
  static Boolean chunked(MultiMap headers) {
    if (!headers.contains("transfer-encoding")) {
      return Boolean.FALSE;
    }
    for (String value : headers.getAll("transfer-encoding")) {
      if (!value.equals("chunked")) {
        return null;
      }
    }
    return Boolean.TRUE;
  }

  /** One request and its response, with its deadline: the response timeout, then the idle timeout. */
  private final class Exchange extends Deadlines.Entry implements Handler<Buffer> {
    private final HttpServerRequest request;
    private final String originForm;
    private final HttpServerResponse response;
    private final boolean chunked;
    private boolean hasBody;
    private HttpClientRequest upstream;
    private long started;
    private final Deadlines deadlines;
    private HttpClientResponse body;
    private boolean untilClose;
    private boolean drainSet;
    private boolean relayDone;
    private boolean streaming;
    private boolean paused;
    private boolean done;
    private final LiveConnections.Watch watch;
    private LiveConnections.Connection registration;

    Exchange(HttpServerRequest request, String originForm, boolean chunked, LiveConnections.Watch watch) {
      this.watch = watch;
      this.request = request;
      this.originForm = originForm;
      this.response = request.response();
      this.chunked = chunked;
      this.deadlines = Deadlines.current(vertx);
    }

    void start(boolean paused) {
      hasBody = hasBody();
      if (hasBody) {
        // Held until the upstream request exists; the pipe then reads it with back-pressure.
        request.pause();
      } else if (paused) {
        // Nothing to read but the request's end, which Vert.x must see before it reads the connection's next
        // request: a request left paused would stall its connection.
        request.resume();
      }
      client.request(options).onComplete(this::connected);
    }

    /** Whether the request has a body to send on (RFC 9112 6.3; an HTTP/2 request says so by not having ended). */
    private boolean hasBody() {
      if (chunked) {
        return true;
      }
      String length = request.getHeader("content-length");
      if (length != null) {
        return !length.equals("0");
      }
      return request.version() == HttpVersion.HTTP_2 && !request.isEnded();
    }

    private void connected(AsyncResult<HttpClientRequest> ar) {
      if (ar.failed()) {
        request.resume();
        fail(ar.cause());
        return;
      }
      HttpClientRequest up = ar.result();
      upstream = up;
      // Failures reach the client as a 502/504 page or a reset; without a handler Vert.x logs each at ERROR.
      up.exceptionHandler(upstreamEnded);
      // The client went away before the response was written: nothing more to ask the upstream.
      response.exceptionHandler(t -> up.reset(0, t));
      up.setMethod(request.method());
      up.setURI(originForm);
      copyRequestHeaders(request.headers(), up.headers());
      started = System.nanoTime();
      up.response().onComplete(this::responded);
      if (!hasBody) {
        up.end();
        requestSent();
        return;
      }
      ReadStream<Buffer> in = request;
      if (chunked) {
        up.setChunked(true);
      } else if (request.getHeader("content-length") == null) {
        // HTTP/2 without Content-Length: the HTTP/1.1 upstream request is made chunked on the first data; a
        // stream that ends without data goes upstream without a body, not as an empty chunked one.
        in = new SignallingStream(request, () -> {
          if (!up.isChunked()) {
            up.setChunked(true);
          }
        }, () -> {});
      }
      Pipe<Buffer> pipe = in.pipe();
      pipe.endOnFailure(false);
      pipe.to(up).onComplete(sent -> {
        if (sent.succeeded()) {
          requestSent();
        } else {
          up.reset();
        }
      });
    }

    /** The whole request is with the upstream: it now has the response timeout to answer. */
    private void requestSent() {
      if (!done && !streaming && !scheduled()) {
        deadline = System.nanoTime() + Deadlines.nanos(route.responseMillis);
        deadlines.add(this);
      }
    }

    private void responded(AsyncResult<HttpClientResponse> ar) {
      if (ar.failed()) {
        stop();
        fail(ar.cause());
        return;
      }
      HttpClientResponse up = ar.result();
      // Held while the client's response is set up; resumed once the relay's handlers are in place.
      up.pause();
      route.upstreamLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      MultiMap upHeaders = up.headers();
      Boolean upChunked = chunked(upHeaders);
      if (upChunked == null) {
        // As vertx-http-proxy: a response framed in a way we cannot pass on.
        stop();
        upstream.reset();
        response.setStatusCode(501).putHeader("content-length", "0").end();
        return;
      }
      streaming = true;
      deadline = System.nanoTime() + Deadlines.nanos(route.idleMillis);
      deadlines.add(this);

      int status = up.statusCode();
      response.setStatusCode(status);
      String message = up.statusMessage();
      if (message != null && !message.equals(HttpResponseStatus.valueOf(status).reasonPhrase())) {
        response.setStatusMessage(message);
      }
      MultiMap out = response.headers();
      boolean dated = copyResponseHeaders(upHeaders, out);
      if (!dated) {
        out.set("date", HttpDate.now());
      }
      // A response to a signed-in caller is about that caller: shared caches must not keep it unless the app
      // said they may. Only Portcullis sets the user id header on the way in (hygiene strips the client's).
      if (request.headers().contains(dev.portcullis.assertion.UpstreamIdentity.USER_ID)
          && !upHeaders.contains("cache-control")) {
        out.set("cache-control", "private");
      }
      boolean closeDelimited = false;
      if (!upHeaders.contains("content-length")) {
        if (request.version() == HttpVersion.HTTP_1_0) {
          // HTTP/1.0 has no chunked coding: the body is streamed and its end marked by closing the connection
          // (RFC 9112 6.3), rather than gathered whole to count it. Vert.x writes "Connection: keep-alive" for
          // an HTTP/1.0 client that asked for it; this runs after that.
          closeDelimited = true;
          response.headersEndHandler(v -> response.headers().set("connection", "close"));
        } else {
          response.setChunked(true);
        }
      }
      untilClose = closeDelimited;
      // A response streamed without a length (server-sent events, a live feed) may last: register it, so that
      // access revoked while it runs ends it.
      if (watch != null && !upHeaders.contains("content-length")) {
        registration = watch.open(request, route.name(), "stream", vertx.getOrCreateContext(), this::revoked);
      }
      // The body is relayed by hand rather than through a Pipe: the same back-pressure (stop reading the
      // upstream while the client's write queue is full), without a pipe, a promise and a listener per chunk.
      body = up;
      up.handler(this);
      up.endHandler(v -> relayed(null));
      up.exceptionHandler(this::relayed);
      up.resume();
    }

    /** A chunk of the upstream's response body. */
    @Override
    public void handle(Buffer data) {
      active();
      response.write(data);
      if (response.writeQueueFull()) {
        paused = true;
        body.pause();
        if (!drainSet) {
          drainSet = true;
          response.drainHandler(v -> {
            paused = false;
            active();
            body.resume();
          });
        }
      }
    }

    /** The upstream's body has ended ({@code failure} null) or failed; a client that went away resets the upstream. */
    private void relayed(Throwable failure) {
      if (relayDone) {
        return;
      }
      relayDone = true;
      if (registration != null) {
        registration.ended();
      }
      stop();
      if (failure == null) {
        if (untilClose) {
          response.end().onComplete(v -> request.connection().close());
        } else {
          response.end();
        }
        return;
      }
      upstream.reset();
      if (untilClose) {
        request.connection().close();
      } else {
        response.reset();
      }
    }

    /** Access was revoked while the response streamed: the upstream is cut and the client's stream ended. */
    private void revoked(String reason) {
      if (relayDone) {
        return;
      }
      relayDone = true;
      stop();
      log.debug("ending a stream to {}: {}", route.name(), reason);
      if (body != null) {
        body.handler(null);
        body.endHandler(null);
      }
      upstream.reset();
      // An event stream is ended (its client reconnects, and is refused); anything else is cut, so that a
      // download stopped half-way never looks complete.
      boolean events = String.valueOf(response.headers().get("content-type")).startsWith("text/event-stream");
      if (!events) {
        if (untilClose) {
          request.connection().close();
        } else if (!response.ended() && !response.closed()) {
          response.reset();
        }
      } else if (untilClose) {
        response.end().onComplete(v -> request.connection().close());
      } else if (!response.ended() && !response.closed()) {
        response.end();
      }
    }

    /** Our own 502/504 page, when no head has gone to the client yet; otherwise the client's stream is cut. */
    private void fail(Throwable failure) {
      request.resume();
      if (response.headWritten() || response.ended() || response.closed()) {
        if (!response.ended() && !response.closed()) {
          response.reset();
        }
        return;
      }
      UpstreamErrors.send(route.name(), response, request.getHeader("accept"), failure);
    }

    // --- the deadline: response timeout until the response head, then idle timeout while the body streams ---

    @Override
    void expired(long now) {
      if (streaming && paused) {
        // The client is reading slowly and we have stopped reading the upstream: that quiet is not the upstream's.
        deadline = now + Deadlines.nanos(route.idleMillis);
        return;
      }
      stop();
      if (upstream != null) {
        upstream.reset(0, streaming ? UpstreamTimeoutException.idle(route.idleMillis)
            : UpstreamTimeoutException.response(route.responseMillis));
      }
    }

    private void stop() {
      done = true;
      deadlines.remove(this);
    }

    private void active() {
      deadline = System.nanoTime() + Deadlines.nanos(route.idleMillis);
    }
  }

  /**
   * Copies a client's request headers for the upstream, without hop-by-hop headers (the gateway has already
   * removed those named in Connection) and without Host, which becomes the upstream's.
   */
  static void copyRequestHeaders(MultiMap from, MultiMap to) {
    for (Map.Entry<String, String> h : from) {
      String name = h.getKey();
      if (!HopByHop.requestSkips(name)) {
        to.add(name, h.getValue());
      }
    }
  }

  /**
   * Copies an upstream's response headers for the client, without hop-by-hop headers (also those named in
   * Connection), Portcullis's own cookies, or the upstream's request id (the gateway's is already set).
   * Returns whether the upstream sent a Date.
   */
  static boolean copyResponseHeaders(MultiMap from, MultiMap to) {
    List<String> named = from.contains("connection") ? HopByHop.namedIn(from.getAll("connection")) : List.of();
    boolean dated = false;
    for (Map.Entry<String, String> h : from) {
      String name = h.getKey();
      if (HopByHop.responseSkips(name) || (!named.isEmpty() && HopByHop.containsIgnoreCase(named, name))) {
        continue;
      }
      String value = h.getValue();
      if (name.equalsIgnoreCase("set-cookie") && dev.portcullis.session.SessionCookies.setsOurs(value)) {
        continue;
      }
      if (!dated && name.length() == 4 && name.equalsIgnoreCase("date")) {
        dated = true;
      }
      to.add(name, value);
    }
    return dated;
  }

}
