package dev.portcullis.gateway;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The upstream client: one connection pool per event loop, so an exchange uses an upstream connection
 * that lives on the event loop of the client's own connection. With one shared pool, Vert.x hands out
 * the most recently used idle connection whatever its event loop, and then each step of the exchange
 * hops between threads: an extra wake-up (an eventfd write and read) and a context switch each way.
 * Measured at 32 connections on two loops: 2.5 reads and 2.5 writes per request with one pool, 2 and 2
 * with one pool per loop.
 */
public final class LoopLocalHttpClient implements HttpClient {
  private final Supplier<HttpClient> factory;
  private final List<HttpClient> clients = new CopyOnWriteArrayList<>();
  private final ThreadLocal<HttpClient> local = ThreadLocal.withInitial(this::create);
  private volatile boolean closed;

  /** {@code factory} builds one pool; it is called once for each thread that sends a request. */
  public LoopLocalHttpClient(Supplier<HttpClient> factory) {
    this.factory = factory;
  }

  private HttpClient create() {
    HttpClient client = factory.get();
    clients.add(client);
    return client;
  }

  @Override
  public Future<HttpClientRequest> request(RequestOptions options) {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("the upstream client is closed"));
    }
    return local.get().request(options);
  }

  @Override
  public Future<Void> shutdown(long timeout, TimeUnit unit) {
    closed = true;
    List<Future<Void>> all = new ArrayList<>();
    for (HttpClient c : clients) {
      all.add(c.shutdown(timeout, unit));
    }
    return Future.join(all).mapEmpty();
  }
}
