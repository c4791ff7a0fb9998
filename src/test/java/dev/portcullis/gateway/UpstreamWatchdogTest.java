package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The watchdog's timer is there while an exchange waits or streams, and gone the moment it ends. */
class UpstreamWatchdogTest {
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Runs on one event loop, as the gateway does. */
  private <T> T onLoop(Supplier<T> work) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> {
      try {
        result.complete(work.get());
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result.get(10, TimeUnit.SECONDS);
  }

  @Test
  void timerIsArmedWhileWaitingAndStreaming_andGoneWhenTheExchangeEnds() throws Exception {
    UpstreamWatchdog w = new UpstreamWatchdog(vertx, new FakeContext(), 60_000, 300_000);
    assertThat(onLoop(() -> {
      w.requestSent();
      return w.armed();
    })).isTrue();
    assertThat(onLoop(() -> {
      w.responseStarted();
      w.dataReceived();
      return w.armed();
    })).isTrue();
    assertThat(onLoop(() -> {
      w.finish();
      return w.armed();
    })).isFalse();
  }

  @Test
  void exchangeThatFailsBeforeTheResponse_leavesNoTimer() throws Exception {
    UpstreamWatchdog w = new UpstreamWatchdog(vertx, new FakeContext(), 60_000, 300_000);
    assertThat(onLoop(() -> {
      w.requestSent();
      w.finish();
      w.responseStarted();
      w.requestSent();
      return w.armed();
    })).isFalse();
  }

  @Test
  void idleShorterThanTheResponseTimeout_rearmsForTheIdleDeadline() throws Exception {
    UpstreamWatchdog w = new UpstreamWatchdog(vertx, new FakeContext(), 60_000, 100);
    onLoop(() -> {
      w.requestSent();
      w.responseStarted();
      return null;
    });
    // Fired at the idle deadline (no origin to reset here) rather than sixty seconds on.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (onLoop(w::armed) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(onLoop(w::armed)).isFalse();
  }

  private static final class FakeContext implements ProxyContext {
    private final Map<String, Object> attachments = new HashMap<>();

    @Override
    public ProxyRequest request() {
      throw new UnsupportedOperationException();
    }

    @Override
    public ProxyResponse response() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<ProxyResponse> sendRequest() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<Void> sendResponse() {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean isWebSocket() {
      return false;
    }

    @Override
    public void set(String name, Object value) {
      attachments.put(name, value);
    }

    @Override
    public <T> T get(String name, Class<T> type) {
      Object o = attachments.get(name);
      return type.isInstance(o) ? type.cast(o) : null;
    }

    @Override
    public HttpClient client() {
      throw new UnsupportedOperationException();
    }
  }
}
