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

/** A service behind IAP, without a session: refused before the upstream, which hears nothing. */
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
  void plainRequestsWithoutSession_getUnauthorized_andNavigationsAreSentToSignIn() {
    Reply get = Clients.send(client, Clients.to(portcullis, "secret", HttpMethod.GET, "/"));
    Reply post = Clients.send(client, Clients.to(portcullis, "secret", HttpMethod.POST, "/submit")
        .putHeader("accept", "text/html"), Buffer.buffer("x".repeat(50_000)));
    Reply xhr = Clients.send(client, Clients.to(portcullis, "secret", HttpMethod.GET, "/")
        .putHeader("accept", "text/html").putHeader("x-requested-with", "XMLHttpRequest"));
    Reply html = Clients.send(client, Clients.to(portcullis, "secret", HttpMethod.GET, "/page?x=1")
        .putHeader("accept", "text/html"));

    for (Reply r : new Reply[] {get, post, xhr}) {
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.header(Gateway.GENERATED_HEADER)).isEqualTo("true");
      assertThat(r.header("x-request-id")).matches("[0-9a-f]{32}");
      assertThat(r.json().getJsonObject("error").getString("status")).isEqualTo("UNAUTHENTICATED");
      assertThat(r.json().getString("login_url")).startsWith("http://" + portcullis.hostOf("secret") + "/_portcullis/start");
    }
    assertThat(get.json().getString("service")).isEqualTo("secret");
    assertThat(html.status()).isEqualTo(302);
    assertThat(html.header("location")).startsWith("http://auth.localhost:" + portcullis.port() + "/_portcullis/signin?request=");
    assertThat(html.header(Gateway.GENERATED_HEADER)).isEqualTo("true");
    assertThat(reached.get()).isZero();
  }

  @Test
  void webSocketUpgradesWithoutSession_areRefusedWithUnauthorized() {
    Throwable failure = Clients.failureOf(upstreams.vertx(), () -> webSockets.connect(
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(portcullis.port()).setURI("/socket")
            .addHeader("host", portcullis.hostOf("secret"))));

    assertThat(failure).isInstanceOf(UpgradeRejectedException.class);
    UpgradeRejectedException rejected = (UpgradeRejectedException) failure;
    assertThat(rejected.getStatus()).isEqualTo(401);
    assertThat(rejected.getHeaders().get(Gateway.GENERATED_HEADER)).isEqualTo("true");
    assertThat(reached.get()).isZero();
  }
}
