package dev.portcullis.gateway;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/** A response body passed through unchanged that says when each chunk arrives. */
final class DataSignallingStream implements ReadStream<Buffer> {
  private final ReadStream<Buffer> delegate;
  private final Runnable onData;

  DataSignallingStream(ReadStream<Buffer> delegate, Runnable onData) {
    this.delegate = delegate;
    this.onData = onData;
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
      delegate.handler(chunk -> {
        onData.run();
        handler.handle(chunk);
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
    delegate.endHandler(endHandler);
    return this;
  }
}
