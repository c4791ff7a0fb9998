package dev.portcullis.gateway;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * An upstream response body passed through unchanged that calls {@code onIdle} when the upstream sends
 * nothing for {@code idleMillis} while the body is being read. Time spent paused, because the client reads
 * slowly, does not count. The timer stops when the body ends or fails, so a finished exchange leaves
 * nothing behind; Vert.x's own request idle timeout stays armed after the response has ended and keeps the
 * whole exchange reachable until it fires.
 */
final class IdleTimeoutStream implements ReadStream<Buffer> {
  private final Vertx vertx;
  private final ReadStream<Buffer> delegate;
  private final long idleMillis;
  private final Runnable onIdle;
  private long lastActivity = System.currentTimeMillis();
  private long timer;
  private boolean paused;
  private boolean done;

  /** Call on the context that delivers the body; the timer runs there too. */
  IdleTimeoutStream(Vertx vertx, ReadStream<Buffer> delegate, long idleMillis, Runnable onIdle) {
    this.vertx = vertx;
    this.delegate = delegate;
    this.idleMillis = idleMillis;
    this.onIdle = onIdle;
    this.timer = vertx.setTimer(idleMillis, this::check);
  }

  private void check(long id) {
    if (done) {
      return;
    }
    long now = System.currentTimeMillis();
    long quiet = now - lastActivity;
    if (paused || quiet < idleMillis) {
      timer = vertx.setTimer(paused ? idleMillis : idleMillis - quiet, this::check);
      return;
    }
    done = true;
    onIdle.run();
  }

  private void stop() {
    if (!done) {
      done = true;
      vertx.cancelTimer(timer);
    }
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    if (handler == null) {
      delegate.handler(null);
    } else {
      delegate.handler(data -> {
        lastActivity = System.currentTimeMillis();
        handler.handle(data);
      });
    }
    return this;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    delegate.exceptionHandler(failure -> {
      stop();
      if (handler != null) {
        handler.handle(failure);
      }
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> handler) {
    delegate.endHandler(v -> {
      stop();
      if (handler != null) {
        handler.handle(v);
      }
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    paused = true;
    delegate.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    paused = false;
    lastActivity = System.currentTimeMillis();
    delegate.resume();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    paused = false;
    lastActivity = System.currentTimeMillis();
    delegate.fetch(amount);
    return this;
  }
}
