package dev.portcullis.gateway;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/** A request body passed through unchanged that says when its first data comes and when it has been read whole. */
final class SignallingStream implements ReadStream<Buffer> {
  private final ReadStream<Buffer> delegate;
  private final Runnable onFirstData;
  private final Runnable onEnd;
  private boolean dataSeen;

  SignallingStream(ReadStream<Buffer> delegate, Runnable onFirstData, Runnable onEnd) {
    this.delegate = delegate;
    this.onFirstData = onFirstData;
    this.onEnd = onEnd;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    delegate.exceptionHandler(handler);
    return this;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    if (handler == null) {
      delegate.handler(null);
    } else {
      delegate.handler(data -> {
        if (!dataSeen) {
          dataSeen = true;
          onFirstData.run();
        }
        handler.handle(data);
      });
    }
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    delegate.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    delegate.resume();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    delegate.fetch(amount);
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    if (endHandler == null) {
      delegate.endHandler(null);
    } else {
      delegate.endHandler(v -> {
        onEnd.run();
        endHandler.handle(v);
      });
    }
    return this;
  }
}
