package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Clients;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies are passed on as they are written, not gathered first. Each test's sender writes a first part and
 * then holds the rest back until the receiver has seen that part (or, failing that, for a few seconds): the
 * receiver must have seen the first part while the rest was still held back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingTest {
  /** How long a sender holds the rest back when the first part never arrives on its own. */
  static final long HOLD_BACK_MILLIS = 3_000;

  Upstreams upstreams;
  Vertx vertx;
  TestPortcullis portcullis;
  HttpClient http1;
  HttpClient h2c;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    vertx = upstreams.vertx();
    portcullis = TestPortcullis.start(dir);
    http1 = vertx.createHttpClient();
    h2c = vertx.createHttpClient(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
  }

  @AfterAll
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
  }

  @Test
  void serverSentEvents_firstEventArrivesBeforeTheUpstreamFinishes() {
    HeldBack held = new HeldBack();
    portcullis.createService("events", upstreams.http(req -> {
      HttpServerResponse response = req.response().setChunked(true)
          .putHeader("content-type", "text/event-stream")
          .putHeader("cache-control", "no-cache");
      response.write("id: 1\ndata: first\n\n");
      held.then(() -> response.end("id: 2\ndata: second\n\n"));
    }));

    Received received = receive(http1, "events", held);

    assertThat(received.contentType()).isEqualTo("text/event-stream");
    assertThat(received.firstPart()).contains("data: first").doesNotContain("second");
    assertThat(received.firstPartBeforeRest()).as("first event delivered while the upstream held back the rest")
        .isTrue();
    assertThat(received.whole()).isEqualTo("id: 1\ndata: first\n\nid: 2\ndata: second\n\n");
  }

  @Test
  void chunkedResponse_firstChunkArrivesBeforeTheUpstreamFinishes() {
    HeldBack held = new HeldBack();
    portcullis.createService("chunks", upstreams.http(req -> {
      HttpServerResponse response = req.response().setChunked(true).putHeader("content-type", "text/plain");
      response.write("first chunk;");
      held.then(() -> response.end("last chunk"));
    }));

    Received received = receive(http1, "chunks", held);

    assertThat(received.firstPart()).isEqualTo("first chunk;");
    assertThat(received.firstPartBeforeRest()).isTrue();
    assertThat(received.whole()).isEqualTo("first chunk;last chunk");
  }

  @Test
  void serverSentEvents_overHttp2_firstEventArrivesBeforeTheUpstreamFinishes() {
    HeldBack held = new HeldBack();
    portcullis.createService("events-h2", upstreams.http(req -> {
      HttpServerResponse response = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      response.write("data: first\n\n");
      held.then(() -> response.end("data: second\n\n"));
    }));

    Received received = receive(h2c, "events-h2", held);

    assertThat(received.firstPart()).isEqualTo("data: first\n\n");
    assertThat(received.firstPartBeforeRest()).isTrue();
    assertThat(received.whole()).isEqualTo("data: first\n\ndata: second\n\n");
  }

  @Test
  void chunkedRequestBody_firstChunkReachesTheUpstreamBeforeTheClientFinishes() {
    HeldBack held = new HeldBack();
    List<String> parts = new CopyOnWriteArrayList<>();
    AtomicBoolean firstBeforeRest = new AtomicBoolean();
    portcullis.createService("uploads", upstreams.http(req -> {
      req.handler(b -> {
        if (parts.isEmpty()) {
          firstBeforeRest.set(!held.released());
          held.arrived();
        }
        parts.add(b.toString());
      });
      req.endHandler(v -> req.response().end("got " + String.join("", parts)));
    }));

    Clients.Reply reply = Clients.run(vertx, () -> http1.request(Clients.to(portcullis, "uploads", HttpMethod.POST, "/"))
        .compose(req -> {
          req.setChunked(true);
          req.write("first part;");
          held.then(() -> req.end("second part"));
          return req.response();
        })
        .compose(r -> r.body().map(b -> new Clients.Reply(r.statusCode(), r.version(), r.headers(), b))));

    assertThat(reply.text()).isEqualTo("got first part;second part");
    assertThat(parts.get(0)).isEqualTo("first part;");
    assertThat(firstBeforeRest.get()).as("first part reached the upstream while the client held back the rest")
        .isTrue();
  }

  private Received receive(HttpClient client, String service, HeldBack held) {
    List<String> parts = new CopyOnWriteArrayList<>();
    AtomicBoolean firstBeforeRest = new AtomicBoolean();
    String[] contentType = new String[1];
    Clients.run(vertx, () -> client.request(Clients.to(portcullis, service, HttpMethod.GET, "/stream"))
        .compose(req -> req.send())
        .compose(resp -> {
          contentType[0] = resp.getHeader("content-type");
          Promise<Void> done = Promise.promise();
          resp.handler(b -> {
            if (parts.isEmpty()) {
              firstBeforeRest.set(!held.released());
              held.arrived();
            }
            parts.add(b.toString());
          });
          resp.exceptionHandler(done::tryFail);
          resp.endHandler(done::tryComplete);
          return done.future();
        }));
    return new Received(contentType[0], parts.get(0), firstBeforeRest.get(), String.join("", parts));
  }

  record Received(String contentType, String firstPart, boolean firstPartBeforeRest, String whole) {}

  /** The rest of a body, held back until the first part has arrived at the other end or a timer runs out. */
  final class HeldBack {
    private final Promise<Void> arrived = Promise.promise();
    private final AtomicBoolean released = new AtomicBoolean();

    void then(Runnable sendRest) {
      long timer = vertx.setTimer(HOLD_BACK_MILLIS, id -> arrived.tryComplete());
      arrived.future().onComplete(v -> {
        vertx.cancelTimer(timer);
        released.set(true);
        sendRest.run();
      });
    }

    void arrived() {
      arrived.tryComplete();
    }

    boolean released() {
      return released.get();
    }
  }
}
