package dev.portcullis.gateway;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.httpproxy.ProxyContext;
import java.util.concurrent.TimeUnit;

/**
 * The one timer of a forwarded exchange. From the end of the request body until the response headers
 * it is the service's response timeout; while the response body streams it is the idle timeout, pushed
 * back by every chunk that arrives. When it runs out the upstream request is reset, which gives a 504
 * page before the headers and cuts the stream after them.
 *
 * <p>It is cancelled as soon as the exchange ends, so a finished exchange leaves nothing scheduled that
 * holds on to it. (Vert.x's own {@code HttpClientRequest.idleTimeout}, set after the response headers,
 * is never cancelled when the response ends: each exchange then stays reachable until its timer fires.)
 * Every call comes on the exchange's event loop, as do the timer's, so the fields need no locking.
 */
final class UpstreamWatchdog implements Handler<Long> {
  private final Vertx vertx;
  private final ProxyContext ctx;
  private final long responseMillis;
  private final long idleMillis;
  private long timer = -1;
  private long firesAt;
  private long deadline;
  private boolean streaming;
  private boolean finished;

  UpstreamWatchdog(Vertx vertx, ProxyContext ctx, long responseMillis, long idleMillis) {
    this.vertx = vertx;
    this.ctx = ctx;
    this.responseMillis = responseMillis;
    this.idleMillis = idleMillis;
  }

  /** The request body has been sent: the upstream now has the response timeout to answer. */
  void requestSent() {
    if (finished || streaming || timer >= 0) {
      return;
    }
    deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(responseMillis);
    schedule(deadline);
  }

  /** The response headers are in: from now on the idle timeout applies. */
  void responseStarted() {
    if (finished) {
      return;
    }
    streaming = true;
    deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(idleMillis);
    // The running timer may stay when it fires no later than the new deadline; it re-arms itself then.
    if (timer < 0 || firesAt - deadline > 0) {
      cancelTimer();
      schedule(deadline);
    }
  }

  /** A chunk of the response body arrived. */
  void dataReceived() {
    if (streaming && !finished) {
      deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(idleMillis);
    }
  }

  /** The exchange is over, whichever way: nothing is left scheduled. */
  void finish() {
    finished = true;
    cancelTimer();
  }

  @Override
  public void handle(Long id) {
    timer = -1;
    if (finished) {
      return;
    }
    if (deadline - System.nanoTime() > 0) {
      schedule(deadline);
      return;
    }
    finished = true;
    HttpClientRequest origin = ctx.get(Route.ORIGIN_REQUEST, HttpClientRequest.class);
    if (origin != null) {
      origin.reset(0, streaming ? UpstreamTimeoutException.idle(idleMillis) : new UpstreamTimeoutException(responseMillis));
    }
  }

  /** Whether a timer is scheduled; a finished exchange must have none. */
  boolean armed() {
    return timer >= 0;
  }

  private void schedule(long at) {
    long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(at - System.nanoTime() + 999_999));
    firesAt = at;
    timer = vertx.setTimer(millis, this);
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
