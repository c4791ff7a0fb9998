package dev.portcullis.gateway;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket upgrade carried to the upstream: the upgrade request goes on with the gateway's headers;
 * an answer other than 101 is relayed as any response; a 101 joins the two connections into a byte
 * tunnel. The frames are not decoded, but the upstream-to-client direction is followed frame by frame,
 * so Portcullis can end a live connection with a close frame of its own (code 4403) between two of the
 * upstream's frames, never inside one.
 */
final class WebSocketTunnel {
  private static final Logger log = LoggerFactory.getLogger(WebSocketTunnel.class);
  /** How long the client may take to answer our close frame before its connection is closed. */
  private static final long CLOSE_GRACE_MILLIS = 1_000;

  private final Route route;
  private final Vertx vertx;
  private final HttpClient client;
  private final RequestOptions options;

  WebSocketTunnel(Route route, Vertx vertx, HttpClient client, RequestOptions upstream) {
    this.route = route;
    this.vertx = vertx;
    this.client = client;
    this.options = new RequestOptions(upstream).setMethod(HttpMethod.GET);
  }

  /** {@code watch} registers the open tunnel (null: not watched). */
  void open(HttpServerRequest request, String originForm, LiveConnections.Watch watch) {
    request.pause();
    client.request(new RequestOptions(options).setURI(originForm)).onComplete(ar -> {
      if (ar.failed()) {
        failed(request, ar.cause());
        return;
      }
      HttpClientRequest up = ar.result();
      // As for any request (the upstream's own Host, no hop-by-hop headers, no body framing), then the
      // upgrade itself.
      Forwarder.copyRequestHeaders(request.headers(), up.headers());
      up.headers().set("connection", "Upgrade");
      up.headers().set("upgrade", request.getHeader("upgrade"));
      up.exceptionHandler(e -> log.debug("upgrade to {} ended: {}", route.name(), e.toString()));
      Upgrade upgrade = new Upgrade(request, up);
      up.connect().onComplete(rar -> {
        if (!upgrade.answered()) {
          if (rar.succeeded() && rar.result().statusCode() == 101) {
            rar.result().netSocket().close(); // answered after the 504 was sent
          }
          return;
        }
        if (rar.failed()) {
          failed(request, rar.cause());
          return;
        }
        HttpClientResponse answer = rar.result();
        if (answer.statusCode() != 101) {
          refused(request, up, answer, upgrade);
          return;
        }
        if (!"websocket".equalsIgnoreCase(answer.getHeader("upgrade"))
            || answer.getHeader("sec-websocket-accept") == null) {
          // Only a WebSocket is followed frame by frame; anything else could not be closed cleanly later.
          up.reset();
          failed(request, new IllegalStateException("the upstream switched to something other than a WebSocket"));
          return;
        }
        HttpServerResponse response = request.response();
        String requestId = response.headers().get("x-request-id");
        response.headers().setAll(answer.headers());
        // Never our cookies from an app, and the gateway's own request id, not the upstream's.
        dev.portcullis.session.SessionCookies.stripFromResponse(response.headers());
        response.headers().remove("x-request-id");
        if (requestId != null) {
          response.headers().set("x-request-id", requestId);
        }
        NetSocket upstream = answer.netSocket();
        upstream.pause();
        // Until the client side is ready: an upstream that closes at once must not leave it hanging.
        boolean[] upstreamGone = {false};
        upstream.closeHandler(v -> upstreamGone[0] = true);
        request.toNetSocket().onComplete(sar -> {
          if (sar.failed()) {
            log.debug("switching {} to a tunnel failed: {}", route.name(), sar.cause().toString());
            upstream.close();
            return;
          }
          if (upstreamGone[0]) {
            sar.result().close();
            return;
          }
          new Tunnel(sar.result(), upstream).start(request, watch);
        });
        request.resume();
      });
    });
  }

  /** The upstream could not be reached: our own 502/504 page, as for any request. */
  private void failed(HttpServerRequest request, Throwable failure) {
    request.resume();
    UpstreamErrors.send(route.name(), request.response(), request.getHeader("accept"), failure);
  }

  /**
   * The upstream answered the upgrade with something else: relayed like an ordinary response, streamed
   * with back-pressure, and the upstream exchange released afterwards.
   */
  private void refused(HttpServerRequest request, HttpClientRequest up, HttpClientResponse answer,
      Upgrade upgrade) {
    request.resume();
    HttpServerResponse response = request.response();
    response.setStatusCode(answer.statusCode());
    String requestId = response.headers().get("x-request-id");
    Forwarder.copyResponseHeaders(answer.headers(), response.headers());
    if (requestId != null) {
      response.headers().set("x-request-id", requestId);
    }
    if (!answer.headers().contains("content-length")) {
      response.setChunked(true);
    }
    upgrade.relaying(response);
    answer.pipeTo(response).onComplete(done -> {
      upgrade.done();
      up.reset();
    });
  }

  /**
   * An upgrade's timeouts, on the event loop's {@link Deadlines} sweep like any exchange's: the response
   * timeout until the upstream answers (then the 504 page), and, when the answer is not 101 and is
   * relayed as a response, the idle timeout while its body streams. The body goes through a pipe, so
   * the idle check watches the bytes written to the client instead of each chunk: checked every quarter
   * of the idle timeout, it counts as quiet only when nothing was written and the client is not the one
   * holding things up (a full write queue).
   */
  private final class Upgrade extends Deadlines.Entry {
    private final Deadlines deadlines = Deadlines.current(vertx);
    private final HttpServerRequest request;
    private final HttpClientRequest up;
    private boolean timedOut;
    private HttpServerResponse response; // while a refusal's body is relayed
    private long written;
    private long lastProgress;

    Upgrade(HttpServerRequest request, HttpClientRequest up) {
      this.request = request;
      this.up = up;
      deadline = System.nanoTime() + Deadlines.nanos(route.responseMillis);
      deadlines.add(this);
    }

    /** The upstream's answer (or failure) came: true when in time, and the response timeout stops. */
    boolean answered() {
      deadlines.remove(this);
      return !timedOut;
    }

    void relaying(HttpServerResponse relayed) {
      response = relayed;
      written = relayed.bytesWritten();
      lastProgress = System.nanoTime();
      deadline = lastProgress + checkEvery();
      deadlines.add(this);
    }

    void done() {
      deadlines.remove(this);
    }

    private long checkEvery() {
      return Deadlines.nanos(Math.max(Deadlines.TICK_MILLIS, Math.min(1_000, route.idleMillis / 4)));
    }

    @Override
    void expired(long now) {
      if (response == null) {
        timedOut = true;
        deadlines.remove(this);
        up.reset();
        failed(request, UpstreamTimeoutException.response(route.responseMillis));
      } else if (response.bytesWritten() != written || response.writeQueueFull()) {
        written = response.bytesWritten();
        lastProgress = now;
        deadline = now + checkEvery();
      } else if (now - lastProgress >= Deadlines.nanos(route.idleMillis)) {
        deadlines.remove(this);
        log.debug("the refused upgrade's answer from {} went quiet; cutting it", route.name());
        // The client's connection first (an upgrade is HTTP/1.1), so that it sees the body cut short:
        // the upstream's reset would otherwise end the pipe, and the response with it, as if complete.
        request.connection().close();
        up.reset();
      } else {
        deadline = now + checkEvery();
      }
    }
  }

  /** The two sockets of an upgraded connection. */
  private final class Tunnel {
    private final NetSocket client;
    private final NetSocket upstream;
    private final Frames frames = new Frames();
    private LiveConnections.Connection registration;
    private String closing; // the reason, once Portcullis is ending the connection
    private boolean closed;

    Tunnel(NetSocket client, NetSocket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void start(HttpServerRequest request, LiveConnections.Watch watch) {
      if (watch != null) {
        registration = watch.open(request, route.name(), "websocket", vertx.getOrCreateContext(), this::close);
      }
      relay(client, upstream, null);
      relay(upstream, client, this::fromUpstream);
      client.closeHandler(v -> ended());
      upstream.closeHandler(v -> ended());
      client.exceptionHandler(e -> log.debug("client side of a tunnel to {}: {}", route.name(), e.toString()));
      upstream.exceptionHandler(e -> log.debug("upstream side of a tunnel to {}: {}", route.name(), e.toString()));
      upstream.resume();
    }

    /** Copies from one socket to the other with back-pressure; {@code filter} sees the upstream's bytes first. */
    private void relay(NetSocket from, NetSocket to, Handler<Buffer> filter) {
      from.handler(data -> {
        if (filter != null) {
          filter.handle(data);
        } else if (closing == null) {
          write(from, to, data);
        } else if (closed && from == client) {
          client.close(); // the client's answer to our close frame: done
        }
      });
    }

    private void write(NetSocket from, NetSocket to, Buffer data) {
      to.write(data);
      if (to.writeQueueFull()) {
        from.pause();
        to.drainHandler(v -> from.resume());
      }
    }

    /** Bytes from the upstream: passed on whole, or, once closing, only up to the end of the current frame. */
    private void fromUpstream(Buffer data) {
      if (closing == null) {
        frames.advance(data, 0);
        if (frames.broken()) {
          // Not WebSocket framing we can follow: it could not be closed between frames later, so it ends now.
          log.warn("the upstream of {} sent a frame that cannot be followed; closing the connection", route.name());
          closed = true;
          client.close();
          upstream.close();
          return;
        }
        write(upstream, client, data);
        return;
      }
      if (closed) {
        return;
      }
      int end = frames.advance(data, 0) ;
      if (end >= 0) {
        write(upstream, client, data.getBuffer(0, end));
        sendClose();
      } else {
        write(upstream, client, data);
      }
    }

    /** Ends the connection: a close frame to the client between two frames, and the upstream closed. */
    private void close(String reason) {
      if (closing != null || closed) {
        return;
      }
      closing = reason;
      if (frames.atBoundary()) {
        sendClose();
        return;
      }
      // The rest of the current frame is passed on first (fromUpstream), then the close frame; an upstream
      // that never finishes it is not waited for.
      vertx.setTimer(CLOSE_GRACE_MILLIS, id -> {
        if (!closed) {
          closed = true;
          client.close();
          upstream.close();
        }
      });
    }

    private void sendClose() {
      closed = true;
      client.write(closeFrame(LiveConnections.CLOSE_CODE, "access revoked"));
      upstream.close();
      vertx.setTimer(CLOSE_GRACE_MILLIS, id -> client.close());
    }

    private void ended() {
      if (registration != null) {
        registration.ended();
      }
      upstream.close();
      if (!closed) {
        client.close();
      }
      // else: our close frame is on its way; the client answers it, or the grace timer closes it.
    }
  }

  /** An unmasked close frame (server to client) with a status code and a short reason. */
  static Buffer closeFrame(short code, String reason) {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    int length = Math.min(text.length, 123);
    Buffer b = Buffer.buffer(4 + length);
    b.appendByte((byte) 0x88);
    b.appendByte((byte) (2 + length));
    b.appendShort(code);
    b.appendBytes(text, 0, length);
    return b;
  }

  /**
   * Follows WebSocket frame boundaries in a byte stream (RFC 6455 section 5.2): the header (2 bytes, then
   * 2 or 8 bytes of extended length, then 4 bytes of mask key when masked), then the payload.
   */
  static final class Frames {
    private final byte[] header = new byte[14];
    private int headerRead;
    private long payloadLeft;

    private boolean broken;

    boolean atBoundary() {
      return headerRead == 0 && payloadLeft == 0;
    }

    /** A length no real frame has (the 64-bit length's top bit set). */
    boolean broken() {
      return broken;
    }

    /**
     * Consumes {@code data} from {@code from}; returns the offset just after the first frame that ends in
     * it (so that a close frame may follow there), or -1 when no frame ends in it. The whole buffer is
     * consumed either way.
     */
    int advance(Buffer data, int from) {
      int firstEnd = -1;
      int i = from;
      int n = data.length();
      while (i < n) {
        if (payloadLeft > 0) {
          long take = Math.min(payloadLeft, n - i);
          payloadLeft -= take;
          i += (int) take;
          if (payloadLeft == 0 && firstEnd < 0) {
            firstEnd = i;
          }
          continue;
        }
        header[headerRead++] = data.getByte(i++);
        int needed = headerLength();
        if (needed < 0 || headerRead < needed) {
          continue;
        }
        payloadLeft = payloadLength();
        headerRead = 0;
        if (payloadLeft < 0) {
          broken = true;
          payloadLeft = 0;
          return firstEnd;
        }
        if (payloadLeft == 0 && firstEnd < 0) {
          firstEnd = i;
        }
      }
      return firstEnd;
    }

    /** The header's full length once enough of it is known; -1 while it is not. */
    private int headerLength() {
      if (headerRead < 2) {
        return -1;
      }
      int len7 = header[1] & 0x7f;
      int masked = (header[1] & 0x80) != 0 ? 4 : 0;
      return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + masked;
    }

    private long payloadLength() {
      int len7 = header[1] & 0x7f;
      if (len7 < 126) {
        return len7;
      }
      if (len7 == 126) {
        return ((header[2] & 0xff) << 8) | (header[3] & 0xff);
      }
      long v = 0;
      for (int k = 2; k < 10; k++) {
        v = (v << 8) | (header[k] & 0xff);
      }
      return v;
    }
  }
}
