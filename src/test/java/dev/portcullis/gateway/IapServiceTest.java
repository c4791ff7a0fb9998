package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Clients;
import dev.portcullis.testing.Clients.Reply;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** A service behind IAP, while sign-in does not exist yet: refused with 503, and its upstream hears nothing. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IapServiceTest {
  Upstreams upstreams;
  TestPortcullis portcullis;
  HttpClient client;
  WebSocketClient webSockets;
  final AtomicInteger reached = new AtomicInteger();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    portcullis = TestPortcullis.start(dir);
    client = upstreams.vertx().createHttpClient();
    webSockets = upstreams.vertx().createWebSocketClient();
    String upstream = upstreams.http(req -> {
      reached.incrementAndGet();
      req.response().end("you should not see this");
    }, ws -> {
      reached.incrementAndGet();
      ws.writeTextMessage("you should not see this");
    });
    portcullis.createService("secret", upstream, new JsonObject().put("iap", true));
  }

  @BeforeEach
  void reset() {
    reached.set(0);
  }

  @AfterAll
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
  }

  @Test
  void plainRequests_areRefusedWithServiceUnavailable() {
    Reply get = Clients.send(client, Clients.to(portcullis, "secret", HttpMethod.GET, "/"));
    Reply post = Clients.send(client, Clients.to(portcullis, "secret", HttpMethod.POST, "/submit"),
        Buffer.buffer("x".repeat(50_000)));
    Reply html = Clients.send(client, Clients.to(portcullis, "secret", HttpMethod.GET, "/")
        .putHeader("accept", "text/html"));

    for (Reply r : new Reply[] {get, post, html}) {
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.header(Gateway.GENERATED_HEADER)).isEqualTo("true");
      assertThat(r.header("x-request-id")).matches("[0-9a-f]{32}");
    }
    assertThat(get.json().getJsonObject("error").getString("status")).isEqualTo("UNAVAILABLE");
    assertThat(get.json().getString("service")).isEqualTo("secret");
    assertThat(html.header("content-type")).startsWith("text/html");
    assertThat(html.text()).contains("secret");
    assertThat(reached.get()).isZero();
  }

  @Test
  void webSocketUpgrades_areRefusedWithServiceUnavailable() {
    Throwable failure = Clients.failureOf(upstreams.vertx(), () -> webSockets.connect(
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(portcullis.port()).setURI("/socket")
            .addHeader("host", portcullis.hostOf("secret"))));

    assertThat(failure).isInstanceOf(UpgradeRejectedException.class);
    UpgradeRejectedException rejected = (UpgradeRejectedException) failure;
    assertThat(rejected.getStatus()).isEqualTo(503);
    assertThat(rejected.getHeaders().get(Gateway.GENERATED_HEADER)).isEqualTo("true");
    assertThat(reached.get()).isZero();
  }
}
