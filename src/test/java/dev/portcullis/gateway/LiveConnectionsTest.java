package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.authn.User;
import dev.portcullis.authn.workload.KeyFile;
import dev.portcullis.iam.PredefinedRoles;
import dev.portcullis.session.Sessions;
import dev.portcullis.testing.Clients;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Open WebSockets and event streams follow policy: a change that refuses their holder closes them
 * (4403 for a WebSocket), an unrelated change leaves them open, sign-out and a time window ending close
 * them too, and each close is audited.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveConnectionsTest {
  private static final String ACCESSOR = PredefinedRoles.ACCESSOR;
  @TempDir static Path dir;
  Upstreams upstreams;
  TestPortcullis portcullis;
  WebSocketClient webSockets;
  String upstream;
  final AtomicInteger ids = new AtomicInteger();

  @BeforeAll
  void start() throws Exception {
    upstreams = new Upstreams();
    upstream = upstreams.http(req -> {
      if (req.path().equals("/events")) {
        // A server-sent event stream that never ends by itself.
        req.response().setChunked(true).putHeader("content-type", "text/event-stream");
        long timer = upstreams.vertx().setPeriodic(100, id -> req.response().write("data: tick\n\n"));
        req.response().closeHandler(v -> upstreams.vertx().cancelTimer(timer));
        req.connection().closeHandler(v -> upstreams.vertx().cancelTimer(timer));
      } else {
        req.response().end("page");
      }
    }, ws -> ws.textMessageHandler(text -> ws.writeTextMessage("echo: " + text)));
    // The default timer (30 s): a close within a second comes from the change itself.
    portcullis = TestPortcullis.start(dir.resolve("data"));
    webSockets = upstreams.vertx().createWebSocketClient();
  }

  @AfterAll
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
  }

  /** A fresh service with IAP on, reached by members of a fresh group holding one person. */
  private record Setup(String service, String group, String email, String cookie) {}

  private Setup setup() {
    int n = ids.incrementAndGet();
    String service = "feed" + n;
    String group = "watchers" + n + "@example.com";
    String email = "ann" + n + "@example.com";
    portcullis.createService(service, upstream, new JsonObject().put("iap", true));
    assertThat(portcullis.admin("POST", "/v1/groups", new JsonObject().put("email", group)).status()).isEqualTo(201);
    assertThat(portcullis.admin("POST", "/v1/groups/" + group + "/members",
        new JsonObject().put("member", "user:" + email)).status()).isEqualTo(201);
    portcullis.grant("projects/default/services/" + service, ACCESSOR, "group:" + group);
    return new Setup(service, group, email, cookie(email, service));
  }

  private String cookie(String email, String service) {
    var accounts = portcullis.portcullis().accounts().orElseThrow();
    User u = portcullis.portcullis().users().findLocal(email)
        .orElseGet(() -> accounts.create(email, Optional.empty(), "a long enough password"));
    Sessions sessions = portcullis.portcullis().sessions();
    Sessions.Created central = sessions.createCentral(u.identity(), portcullis.portcullis().settings().authHost(),
        null, "127.0.0.1", "test");
    return sessions.createForHost(central.session(), service + ".localhost", "127.0.0.1", "test").orElseThrow()
        .cookieValue();
  }

  /** An open WebSocket and what it has seen. */
  private record Live(WebSocket ws, Promise<Void> closed) {
    void assertEchoes() {
      Promise<String> echo = Promise.promise();
      ws.textMessageHandler(echo::tryComplete);
      ws.writeTextMessage("ping");
      assertThat(Clients.await(echo.future())).isEqualTo("echo: ping");
    }
  }

  private Live connect(Setup s) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(portcullis.port())
        .setURI("/socket").addHeader("host", portcullis.hostOf(s.service()))
        .addHeader("cookie", "portcullis=" + s.cookie());
    WebSocket ws = Clients.run(upstreams.vertx(), () -> webSockets.connect(options));
    Promise<Void> closed = Promise.promise();
    ws.closeHandler(closed::tryComplete);
    Live live = new Live(ws, closed);
    live.assertEchoes();
    return live;
  }

  private static long awaitClosedMillis(Live live, long start) {
    Clients.await(live.closed().future(), 10);
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  @Test
  void removingTheMemberFromTheGrantingGroup_closesItsWebSocketWithin1sWith4403() {
    Setup s = setup();
    Live live = connect(s);
    long start = System.nanoTime();
    assertThat(portcullis.admin("DELETE", "/v1/groups/" + s.group() + "/members/user:" + s.email(), null).status())
        .isEqualTo(200);
    long took = awaitClosedMillis(live, start);
    assertThat(took).isLessThan(1_000);
    assertThat(live.ws().closeStatusCode()).isEqualTo((short) 4403);
    assertThat(live.ws().closeReason()).isEqualTo("access revoked");
    // And it cannot come back.
    Throwable again = Clients.failureOf(upstreams.vertx(), () -> webSockets.connect(
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(portcullis.port()).setURI("/socket")
            .addHeader("host", portcullis.hostOf(s.service())).addHeader("cookie", "portcullis=" + s.cookie())));
    assertThat(again).hasMessageContaining("403");
  }

  @Test
  void deletingTheServiceAccountKeyThatSignedItsToken_closesItsWebSocketWithin1s() {
    int n = ids.incrementAndGet();
    String service = "robots" + n;
    TestPortcullis.AdminResponse account = portcullis.admin("POST", "/v1/serviceAccounts",
        new JsonObject().put("accountId", "robot-" + n));
    assertThat(account.status()).as(account.body().encode()).isEqualTo(201);
    String email = account.body().getString("email");
    portcullis.createService(service, upstream, new JsonObject().put("iap", true));
    portcullis.grant("projects/default/services/" + service, ACCESSOR, "serviceAccount:" + email);
    KeyFile signer = key(email);
    KeyFile other = key(email);
    String host = portcullis.hostOf(service);
    String token = signer.sign("http://" + host + "/socket", Instant.now(), Duration.ofMinutes(10));
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(portcullis.port())
        .setURI("/socket").addHeader("host", host).addHeader("authorization", "Bearer " + token);
    WebSocket ws = Clients.run(upstreams.vertx(), () -> webSockets.connect(options));
    Promise<Void> closed = Promise.promise();
    ws.closeHandler(closed::tryComplete);
    Live live = new Live(ws, closed);
    live.assertEchoes();

    // Deleting another key of the same account leaves it open.
    assertThat(portcullis.admin("DELETE", "/v1/serviceAccounts/" + email + "/keys/" + other.keyId(), null).status())
        .isEqualTo(200);
    live.assertEchoes();
    assertThat(closed.future().isComplete()).isFalse();

    long start = System.nanoTime();
    assertThat(portcullis.admin("DELETE", "/v1/serviceAccounts/" + email + "/keys/" + signer.keyId(), null).status())
        .isEqualTo(200);
    assertThat(awaitClosedMillis(live, start)).isLessThan(1_000);
    assertThat(ws.closeStatusCode()).isEqualTo((short) 4403);
    // And the same token cannot open another.
    Throwable again = Clients.failureOf(upstreams.vertx(), () -> webSockets.connect(options));
    assertThat(again).hasMessageContaining("401");
  }

  private KeyFile key(String email) {
    TestPortcullis.AdminResponse r = portcullis.admin("POST", "/v1/serviceAccounts/" + email + "/keys", null);
    assertThat(r.status()).as(r.body().encode()).isEqualTo(201);
    return KeyFile.parse(r.body().getJsonObject("keyFile").encode());
  }

  @Test
  void anUnrelatedChange_leavesItOpen_andTheCloseIsAudited() throws Exception {
    Setup s = setup();
    Setup other = setup();
    Live live = connect(s);
    // Changes that do not concern this person or this service.
    assertThat(portcullis.admin("DELETE", "/v1/groups/" + other.group() + "/members/user:" + other.email(), null)
        .status()).isEqualTo(200);
    portcullis.grant("projects/default/services/" + s.service(), ACCESSOR, "user:someone-else@example.com");
    portcullis.admin("POST", "/v1/groups", new JsonObject().put("email", "unrelated" + ids.get() + "@example.com"));
    Thread.sleep(1_000);
    assertThat(live.closed().future().isComplete()).isFalse();
    live.assertEchoes();

    // Then the policy drops the group: closed, and the close is in the audit log.
    JsonObject policy = portcullis.admin("POST", "/v1/projects/default/services/" + s.service() + ":getIamPolicy",
        new JsonObject()).body();
    JsonArray kept = new JsonArray();
    policy.getJsonArray("bindings").forEach(b -> {
      JsonObject binding = ((JsonObject) b).copy();
      JsonArray members = new JsonArray();
      binding.getJsonArray("members").forEach(m -> {
        if (!m.equals("group:" + s.group())) {
          members.add(m);
        }
      });
      kept.add(binding.put("members", members));
    });
    policy.put("bindings", kept);
    assertThat(portcullis.admin("POST", "/v1/projects/default/services/" + s.service() + ":setIamPolicy",
        new JsonObject().put("policy", policy)).status()).isEqualTo(200);
    awaitClosedMillis(live, System.nanoTime());
    assertThat(live.ws().closeStatusCode()).isEqualTo((short) 4403);
    JsonObject closeEvent = awaitAudit(s.service(), "connection.close");
    assertThat(closeEvent.getString("reason")).startsWith("open websocket closed: access was revoked");
    assertThat(closeEvent.getJsonObject("principal").getString("email")).isEqualTo(s.email());
    assertThat(closeEvent.getString("decision")).isEqualTo("deny");
  }

  @Test
  void signingOut_closesTheSessionsWebSocket() throws Exception {
    Setup s = setup();
    Live live = connect(s);
    RawHttp.Reply out = RawHttp.send(portcullis.port(), "GET /_gcp_iap/clear_login_cookie HTTP/1.1",
        "Host: " + portcullis.hostOf(s.service()), "Cookie: portcullis=" + s.cookie(), "Connection: close");
    assertThat(out.status()).isLessThan(400);
    long took = awaitClosedMillis(live, System.nanoTime());
    assertThat(took).isLessThan(1_000);
    assertThat(live.ws().closeStatusCode()).isEqualTo((short) 4403);
    JsonObject closeEvent = awaitAudit(s.service(), "connection.close");
    assertThat(closeEvent.getString("reason")).contains("signed out or revoked");
  }

  @Test
  void aTimeWindowEnding_closesItOnTheTimer() throws Exception {
    TestPortcullis main = portcullis;
    portcullis = TestPortcullis.start(dir.resolve("timer"), Map.of("live.recheck_interval", "500ms"));
    try {
      timeWindow();
    } finally {
      portcullis.close();
      portcullis = main;
    }
  }

  private void timeWindow() {
    Setup s = setup();
    Instant end = Instant.now().plusSeconds(6);
    JsonObject policy = new JsonObject().put("bindings", new JsonArray().add(new JsonObject()
        .put("role", ACCESSOR).put("members", new JsonArray().add("user:" + s.email()))
        .put("condition", new JsonObject().put("title", "for six seconds")
            .put("expression", "request.time < timestamp(\"" + end + "\")"))));
    assertThat(portcullis.admin("POST", "/v1/projects/default/services/" + s.service() + ":setIamPolicy",
        new JsonObject().put("policy", policy)).status()).isEqualTo(200);
    Live live = connect(s);
    Clients.await(live.closed().future(), 15);
    Instant closedAt = Instant.now();
    assertThat(closedAt).isAfterOrEqualTo(end);
    // The timer runs every 500 ms here; allow for a loaded machine.
    assertThat(Duration.between(end, closedAt)).isLessThan(Duration.ofSeconds(3));
    assertThat(live.ws().closeStatusCode()).isEqualTo((short) 4403);
  }

  @Test
  void anEventStream_isEndedTheSameWay() throws Exception {
    Setup s = setup();
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), portcullis.port())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /events HTTP/1.1\r\nHost: " + portcullis.hostOf(s.service()) + "\r\nAccept: text/event-stream\r\n"
          + "Cookie: portcullis=" + s.cookie() + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      while (!seen.toString(StandardCharsets.ISO_8859_1).contains("data: tick")) {
        int n = in.read(buf);
        assertThat(n).isPositive();
        seen.write(buf, 0, n);
      }
      assertThat(seen.toString(StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
      long start = System.nanoTime();
      assertThat(portcullis.admin("DELETE", "/v1/groups/" + s.group() + "/members/user:" + s.email(), null)
          .status()).isEqualTo(200);
      // The chunked stream ends with its last chunk; nothing more comes.
      boolean ended = false;
      while (!ended) {
        int n;
        try {
          n = in.read(buf);
        } catch (SocketTimeoutException e) {
          break;
        }
        if (n < 0) {
          ended = true;
          break;
        }
        seen.write(buf, 0, n);
        ended = seen.toString(StandardCharsets.ISO_8859_1).endsWith("0\r\n\r\n");
      }
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(ended).as("the stream ended").isTrue();
      assertThat(took).isLessThan(1_000);
    }
    JsonObject closeEvent = awaitAudit(s.service(), "connection.close");
    assertThat(closeEvent.getString("reason")).startsWith("open stream closed");
  }

  private JsonObject awaitAudit(String service, String action) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      JsonArray events = portcullis.admin("GET", "/v1/audit/events?service=" + service + "&kind=decision&limit=1000",
          null).body().getJsonArray("events");
      for (Object o : events) {
        if (action.equals(((JsonObject) o).getString("action"))) {
          return (JsonObject) o;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no " + action + " event for " + service);
  }
}
