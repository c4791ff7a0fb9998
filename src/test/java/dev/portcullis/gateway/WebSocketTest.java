package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Clients;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** WebSocket upgrades through the proxy: frames both ways, the upstream's close code, and header hygiene. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebSocketTest {
  Upstreams upstreams;
  TestPortcullis portcullis;
  WebSocketClient webSockets;
  final AtomicReference<MultiMap> upgradeHeaders = new AtomicReference<>();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    portcullis = TestPortcullis.start(dir);
    webSockets = upstreams.vertx().createWebSocketClient();
    String echo = upstreams.http(req -> req.response().setStatusCode(404).end(), ws -> {
      upgradeHeaders.set(MultiMap.caseInsensitiveMultiMap().addAll(ws.headers()));
      ws.textMessageHandler(text -> {
        if (text.equals("close please")) {
          ws.close((short) 4001, "closed by the upstream");
        } else {
          ws.writeTextMessage("echo: " + text);
        }
      });
      ws.binaryMessageHandler(ws::writeBinaryMessage);
    });
    portcullis.createService("chat", echo);
  }

  @AfterAll
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
  }

  private WebSocketConnectOptions to(String service) {
    return new WebSocketConnectOptions()
        .setHost("127.0.0.1")
        .setPort(portcullis.port())
        .setURI("/socket?room=1")
        .addHeader("host", portcullis.hostOf(service));
  }

  @Test
  void textAndBinaryFrames_areEchoedThroughTheProxy() {
    WebSocket ws = Clients.run(upstreams.vertx(), () -> webSockets.connect(to("chat")));
    try {
      Promise<String> text = Promise.promise();
      Promise<Buffer> binary = Promise.promise();
      ws.textMessageHandler(text::tryComplete);
      ws.binaryMessageHandler(binary::tryComplete);

      ws.writeTextMessage("hello, world");
      assertThat(Clients.await(text.future())).isEqualTo("echo: hello, world");

      byte[] bytes = new byte[70_000];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) (i * 31);
      }
      ws.writeBinaryMessage(Buffer.buffer(bytes));
      assertThat(Clients.await(binary.future()).getBytes()).isEqualTo(bytes);
    } finally {
      ws.close();
    }
  }

  @Test
  void closeCodeAndReasonChosenByTheUpstream_reachTheClient() {
    WebSocket ws = Clients.run(upstreams.vertx(), () -> webSockets.connect(to("chat")));
    Promise<Void> closed = Promise.promise();
    ws.closeHandler(closed::tryComplete);

    ws.writeTextMessage("close please");

    Clients.await(closed.future());
    assertThat(ws.closeStatusCode()).isEqualTo((short) 4001);
    assertThat(ws.closeReason()).isEqualTo("closed by the upstream");
  }

  @Test
  void upgrade_carriesNoClientIdentityHeaders_andGetsForwardingHeaders() {
    WebSocketConnectOptions options = to("chat")
        .addHeader("X-Goog-Authenticated-User-Email", "accounts.google.com:boss@example.com")
        .addHeader("x-goog-iap-jwt-assertion", "forged")
        .addHeader("X-Portcullis-User-Email", "boss@example.com")
        .addHeader("X-Forwarded-User", "boss")
        .addHeader("X-Forwarded-Email", "boss@example.com")
        .addHeader("Remote-User", "boss")
        .addHeader("REMOTE-USER", "boss-again")
        .addHeader("X-Auth-Request-Email", "boss@example.com")
        .addHeader("X-Forwarded-For", "6.6.6.6")
        .addHeader("X-Kept", "yes");
    WebSocket ws = Clients.run(upstreams.vertx(), () -> webSockets.connect(options));
    ws.close();

    MultiMap seen = upgradeHeaders.get();
    assertThat(seen.names()).map(String::toLowerCase)
        .noneMatch(n -> n.startsWith("x-goog-") || n.startsWith("x-portcullis-") || n.startsWith("remote-")
            || n.startsWith("x-auth-request-") || n.equals("x-forwarded-user") || n.equals("x-forwarded-email"));
    assertThat(seen.getAll("x-forwarded-for")).containsExactly("127.0.0.1");
    assertThat(seen.get("x-request-id")).matches("[0-9a-f]{32}");
    assertThat(seen.get("x-kept")).isEqualTo("yes");
  }

  @Test
  void upgradeToAnUpstreamThatIsDown_getsBadGateway() throws Exception {
    portcullis.createService("chat-down", "http://127.0.0.1:" + UpstreamFailureTest.freePort());

    Throwable failure = Clients.failureOf(upstreams.vertx(), () -> webSockets.connect(to("chat-down")));

    assertThat(failure).isInstanceOf(UpgradeRejectedException.class);
    UpgradeRejectedException rejected = (UpgradeRejectedException) failure;
    assertThat(rejected.getStatus()).isEqualTo(502);
    assertThat(rejected.getHeaders().get(Gateway.GENERATED_HEADER)).isEqualTo("true");
    assertThat(rejected.getBody().toJsonObject().getString("service")).isEqualTo("chat-down");
  }

  @Test
  void upgradeRefusedByTheUpstream_keepsTheUpstreamsStatus() {
    String refusing = upstreams.http(req -> req.response().setStatusCode(403).end("no sockets for you"));
    portcullis.createService("chat-refusing", refusing);

    Throwable failure = Clients.failureOf(upstreams.vertx(), () -> webSockets.connect(to("chat-refusing")));

    assertThat(failure).isInstanceOf(UpgradeRejectedException.class);
    assertThat(((UpgradeRejectedException) failure).getStatus()).isEqualTo(403);
  }
}
