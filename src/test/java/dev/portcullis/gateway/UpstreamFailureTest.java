package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.testing.Clients;
import dev.portcullis.testing.Clients.Reply;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upstream that is down, never answers, stops mid-response or cannot be connected to: the client gets a
 * 502 or 504 page of ours that names the service and never the upstream's address.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamFailureTest {
  Upstreams upstreams;
  TestPortcullis portcullis;
  HttpClient client;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    portcullis = TestPortcullis.start(dir);
    client = upstreams.vertx().createHttpClient();
  }

  @AfterAll
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
  }

  @Test
  void upstreamDown_givesBadGatewayPageNamingTheServiceNotTheAddress() throws Exception {
    int closedPort = freePort();
    portcullis.createService("down", "http://127.0.0.1:" + closedPort);

    Reply json = Clients.send(client, Clients.to(portcullis, "down", HttpMethod.GET, "/"));
    Reply html = Clients.send(client, Clients.to(portcullis, "down", HttpMethod.GET, "/")
        .putHeader("accept", "text/html,*/*;q=0.8"));

    assertThat(json.status()).isEqualTo(502);
    assertThat(json.header(Gateway.GENERATED_HEADER)).isEqualTo("true");
    assertThat(json.header("content-type")).isEqualTo("application/json");
    JsonObject body = json.json();
    assertThat(body.getJsonObject("error").getInteger("code")).isEqualTo(502);
    assertThat(body.getJsonObject("error").getString("status")).isEqualTo("UNAVAILABLE");
    assertThat(body.getString("service")).isEqualTo("down");
    assertThat(body.getString("request_id")).isEqualTo(json.header("x-request-id"));
    assertThat(json.text()).doesNotContain(Integer.toString(closedPort)).doesNotContain("127.0.0.1");

    assertThat(html.status()).isEqualTo(502);
    assertThat(html.header("content-type")).startsWith("text/html");
    assertThat(html.text()).contains("down").contains(html.header("x-request-id"))
        .doesNotContain(Integer.toString(closedPort)).doesNotContain("127.0.0.1");
  }

  @Test
  void upstreamDown_postWithBody_givesBadGateway() throws Exception {
    portcullis.createService("down-post", "http://127.0.0.1:" + freePort());

    Reply reply = Clients.send(client, Clients.to(portcullis, "down-post", HttpMethod.POST, "/submit"),
        Buffer.buffer("x".repeat(100_000)));

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.json().getString("service")).isEqualTo("down-post");
  }

  @Test
  void stalledUpstream_givesGatewayTimeoutAfterTheServicesResponseTimeout() throws Exception {
    try (StalledServer stalled = new StalledServer()) {
      portcullis.createService("stalled", "http://127.0.0.1:" + stalled.port(),
          new JsonObject().put("timeouts", new JsonObject().put("response", "300ms")));

      Reply json = Clients.send(client, Clients.to(portcullis, "stalled", HttpMethod.GET, "/"));
      Reply html = Clients.send(client, Clients.to(portcullis, "stalled", HttpMethod.GET, "/")
          .putHeader("accept", "text/html"));

      assertThat(stalled.accepted()).isPositive();
      assertThat(json.status()).isEqualTo(504);
      assertThat(json.header(Gateway.GENERATED_HEADER)).isEqualTo("true");
      assertThat(json.json().getJsonObject("error").getString("status")).isEqualTo("DEADLINE_EXCEEDED");
      assertThat(json.json().getString("service")).isEqualTo("stalled");
      assertThat(json.text()).doesNotContain(Integer.toString(stalled.port()));
      assertThat(html.status()).isEqualTo(504);
      assertThat(html.header("content-type")).startsWith("text/html");
      assertThat(html.text()).contains("stalled").doesNotContain(Integer.toString(stalled.port()));
    }
  }

  @Test
  void responseTimeout_startsOnlyOnceTheRequestBodyHasBeenSent() {
    // The client takes about three response timeouts to send its body; the upstream answers as soon as the
    // body is complete. A deadline counted from the request's start would cut this upload off with a 504.
    String upstream = upstreams.http(req -> req.body().onSuccess(b -> req.response().end("got " + b.length())));
    portcullis.createService("slow-upload", upstream,
        new JsonObject().put("timeouts", new JsonObject().put("response", "300ms")));
    var vertx = upstreams.vertx();

    Reply reply = Clients.run(vertx, () -> client.request(Clients.to(portcullis, "slow-upload", HttpMethod.POST, "/"))
        .compose(req -> {
          req.setChunked(true);
          Promise<Void> written = Promise.promise();
          AtomicInteger parts = new AtomicInteger();
          vertx.setPeriodic(100, id -> {
            if (parts.incrementAndGet() <= 9) {
              req.write("0123456789");
            } else {
              vertx.cancelTimer(id);
              req.end().onComplete(written);
            }
          });
          return written.future().compose(v -> req.response());
        })
        .compose(r -> r.body().map(b -> new Reply(r.statusCode(), r.version(), r.headers(), b))));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.text()).isEqualTo("got 90");
  }

  @Test
  void upstreamThatStopsMidResponse_isCutOffAfterTheIdleTimeout() {
    String upstream = upstreams.http(req -> req.response().setChunked(true).write("first part;"));
    portcullis.createService("idle", upstream,
        new JsonObject().put("timeouts", new JsonObject().put("idle", "300ms")));
    List<String> received = new CopyOnWriteArrayList<>();

    Throwable failure = Clients.failureOf(upstreams.vertx(), () -> client.request(Clients.to(portcullis, "idle", HttpMethod.GET, "/"))
        .compose(req -> req.send())
        .compose(resp -> {
          Promise<Void> done = Promise.promise();
          resp.handler(b -> received.add(b.toString()));
          resp.exceptionHandler(done::tryFail);
          resp.endHandler(done::tryComplete);
          return done.future();
        }));

    assertThat(failure).isNotNull();
    assertThat(String.join("", received)).isEqualTo("first part;");
  }

  @Test
  void clientThatReadsSlowly_isNotCutOffByTheIdleTimeout() {
    // The upstream has far more to send than the sockets on the way can hold, so while the client stops
    // reading, Portcullis stops reading from the upstream too. That quiet is the client's doing, not the
    // upstream's, and must not count as the upstream being idle.
    long size = 64L * 1024 * 1024;
    AtomicBoolean upstreamFinished = new AtomicBoolean();
    String upstream = upstreams.http(req -> {
      var response = req.response().putHeader("content-length", Long.toString(size));
      long[] sent = {0};
      Runnable[] pump = new Runnable[1];
      pump[0] = () -> {
        if (response.ended()) {
          return;
        }
        while (sent[0] < size && !response.writeQueueFull()) {
          response.write(Buffer.buffer(new byte[64 * 1024]));
          sent[0] += 64 * 1024;
        }
        if (sent[0] < size) {
          response.drainHandler(v -> pump[0].run());
        } else {
          response.end().onComplete(v -> upstreamFinished.set(true));
        }
      };
      pump[0].run();
    });
    portcullis.createService("slow-reader", upstream,
        new JsonObject().put("timeouts", new JsonObject().put("idle", "300ms")));
    var vertx = upstreams.vertx();
    AtomicBoolean finishedWhilePaused = new AtomicBoolean(true);

    long received = Clients.run(vertx, () -> client.request(Clients.to(portcullis, "slow-reader", HttpMethod.GET, "/"))
        .compose(req -> req.send())
        .compose(resp -> {
          Promise<Long> done = Promise.promise();
          long[] bytes = {0};
          resp.handler(b -> {
            if (bytes[0] == 0) {
              resp.pause();
              vertx.setTimer(1_500, id -> {
                finishedWhilePaused.set(upstreamFinished.get());
                resp.resume();
              });
            }
            bytes[0] += b.length();
          });
          resp.exceptionHandler(done::tryFail);
          resp.endHandler(v -> done.tryComplete(bytes[0]));
          return done.future();
        }), 60);

    assertThat(finishedWhilePaused.get()).as("the upstream was held back while the client paused").isFalse();
    assertThat(received).isEqualTo(size);
  }

  @Test
  void upstreamThatCannotBeConnectedTo_givesGatewayTimeoutAfterTheConnectTimeout() throws Exception {
    // A listening socket whose accept queue is full drops new SYNs, so a connection attempt hangs as it
    // would towards an unreachable host, without sending anything off this machine.
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<Socket> fillers = new ArrayList<>();
      boolean hangs = false;
      try {
        for (int i = 0; i < 16 && !hangs; i++) {
          Socket s = new Socket();
          try {
            s.connect(full.getLocalSocketAddress(), 300);
            fillers.add(s);
          } catch (SocketTimeoutException e) {
            hangs = true;
            s.close();
          }
        }
        assumeTrue(hangs, "this kernel does not leave connections to a full accept queue hanging");
        portcullis.createService("unconnectable", "http://127.0.0.1:" + full.getLocalPort(),
            new JsonObject().put("timeouts", new JsonObject().put("connect", "300ms").put("response", "30s")));

        Reply reply = Clients.send(client, Clients.to(portcullis, "unconnectable", HttpMethod.GET, "/"));

        assertThat(reply.status()).isEqualTo(504);
        assertThat(reply.json().getString("service")).isEqualTo("unconnectable");
        assertThat(reply.text()).doesNotContain(Integer.toString(full.getLocalPort()));
      } finally {
        for (Socket s : fillers) {
          s.close();
        }
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Accepts connections and never answers on them. */
  static final class StalledServer implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    StalledServer() throws IOException {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            held.add(server.accept());
          }
        } catch (IOException closed) {
          // closed by the test
        }
      }, "stalled-upstream");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    int accepted() {
      return held.size();
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : held) {
        s.close();
      }
    }
  }
}
