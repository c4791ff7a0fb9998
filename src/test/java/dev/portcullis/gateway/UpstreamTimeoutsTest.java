package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Clients;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The response and idle timeouts, end to end: what a client sees when the upstream stalls, and when it is slow but alive. */
class UpstreamTimeoutsTest {
  @TempDir Path dir;
  Upstreams upstreams;
  TestPortcullis portcullis;
  HttpClient client;

  @BeforeEach
  void start() throws Exception {
    upstreams = new Upstreams();
    portcullis = TestPortcullis.start(dir);
    client = upstreams.vertx().createHttpClient();
  }

  @AfterEach
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
  }

  /** A GET to {@code service}, its response handed to {@code then} on the client's context, before any body arrives. */
  private <T> Future<T> get(String service, java.util.function.Function<HttpClientResponse, Future<T>> then) {
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
            .setPort(portcullis.port()).setURI("/").putHeader("host", portcullis.hostOf(service)))
        .compose(r -> r.send())
        .compose(then);
  }

  private static JsonObject timeouts(String response, String idle) {
    return new JsonObject().put("timeouts", new JsonObject().put("response", response).put("idle", idle));
  }

  @Test
  void upstreamThatNeverAnswers_gets504AfterTheResponseTimeout() throws Exception {
    portcullis.createService("stalled", upstreams.http(req -> { }), timeouts("400ms", "60s"));

    long started = System.nanoTime();
    int status = Clients.run(upstreams.vertx(), () -> get("stalled", r -> r.body().map(b -> r.statusCode())));

    assertThat(status).isEqualTo(504);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(350L, 5_000L);
  }

  @Test
  void upstreamThatStallsMidBody_isCutAfterTheIdleTimeout() throws Exception {
    portcullis.createService("quiet", upstreams.http(req -> {
      HttpServerResponse r = req.response().setChunked(true);
      r.write("first chunk\n");
    }), timeouts("60s", "400ms"));

    long started = System.nanoTime();
    // The head arrives (200), then the stream is cut: the client never sees a complete body.
    Throwable cut = Clients.failureOf(upstreams.vertx(), () -> get("quiet", r -> r.statusCode() == 200 ? r.body()
        : Future.failedFuture(new AssertionError("status " + r.statusCode()))));
    assertThat(cut).isNotInstanceOf(AssertionError.class);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(250L, 5_000L);
  }

  @Test
  void upstreamThatIsSlowButKeepsSending_isNotCut() throws Exception {
    portcullis.createService("trickle", upstreams.http(req -> {
      HttpServerResponse r = req.response().setChunked(true);
      long[] sent = {0};
      upstreams.vertx().setPeriodic(150, id -> {
        if (++sent[0] <= 8) {
          r.write("chunk " + sent[0] + "\n");
        } else {
          upstreams.vertx().cancelTimer(id);
          r.end();
        }
      });
    }), timeouts("60s", "500ms"));

    String body = Clients.run(upstreams.vertx(), () -> get("trickle", HttpClientResponse::body).map(Buffer::toString));

    assertThat(body).startsWith("chunk 1\n").endsWith("chunk 8\n");
  }

  private java.net.Socket upgrade(String service) throws java.io.IOException {
    java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), portcullis.port());
    socket.setSoTimeout(10_000);
    socket.getOutputStream().write(String.join("\r\n", "GET /socket HTTP/1.1",
        "Host: " + portcullis.hostOf(service), "Connection: Upgrade", "Upgrade: websocket",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13", "", "")
        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    return socket;
  }

  @Test
  void upgradeThatIsNeverAnswered_gets504AfterTheResponseTimeout() throws Exception {
    portcullis.createService("deaf", upstreams.http(req -> { }), timeouts("400ms", "60s"));

    long started = System.nanoTime();
    try (java.net.Socket socket = upgrade("deaf")) {
      dev.portcullis.testing.RawHttp.Reply reply = dev.portcullis.testing.RawHttp.read(socket.getInputStream());
      assertThat(reply.status()).isEqualTo(504);
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(350L, 5_000L);
  }

  @Test
  void upgradeAnsweredWithABodyThatStalls_isCutAfterTheIdleTimeout() throws Exception {
    portcullis.createService("mumbles", upstreams.http(req -> {
      HttpServerResponse r = req.response().setChunked(true);
      r.write("first chunk\n");
    }), timeouts("60s", "400ms"));

    try (java.net.Socket socket = upgrade("mumbles")) {
      java.io.InputStream in = socket.getInputStream();
      dev.portcullis.testing.RawHttp.Reply head = dev.portcullis.testing.RawHttp.readHead(in);
      assertThat(head.status()).isEqualTo(200);
      long started = System.nanoTime();
      java.io.ByteArrayOutputStream rest = new java.io.ByteArrayOutputStream();
      byte[] buf = new byte[1024];
      try {
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          rest.write(buf, 0, n);
        }
      } catch (java.net.SocketException reset) {
        // cut: a reset is as good as a close here
      }
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      String body = rest.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(body).contains("first chunk").doesNotContain("\r\n0\r\n\r\n"); // never a complete body
      assertThat(took).isBetween(250L, 5_000L);
    }
  }
}
