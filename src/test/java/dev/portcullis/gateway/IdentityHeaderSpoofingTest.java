package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.authn.User;
import dev.portcullis.testing.Clients;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.SignedInSessions;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.MultiMap;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The spoofed-header matrix: every identity header a client might forge, in several spellings (as written,
 * lower, upper, alternating case, underscores for hyphens), each spelling sent twice, on a plain request and
 * on a WebSocket upgrade, to an IAP service with a signed-in caller and to a service without IAP. No forged
 * value reaches the upstream; on the IAP service the only copy is Portcullis's own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdentityHeaderSpoofingTest {
  static final List<String> HEADERS = List.of(
      "X-Portcullis-Jwt-Assertion", "X-Portcullis-User-Email", "X-Portcullis-User-Id", "X-Portcullis-Anything",
      "X-Goog-Iap-Jwt-Assertion", "X-Goog-Authenticated-User-Email", "X-Goog-Authenticated-User-Id",
      "X-Goog-Iap-Attr-Role", "X-Forwarded-User", "X-Forwarded-Email", "X-Auth-Request-User",
      "X-Auth-Request-Email", "X-Auth-Request-Preferred-Username", "Remote-User", "Remote-Email");

  Upstreams upstreams;
  TestPortcullis portcullis;
  WebSocketClient webSockets;
  User user;
  String iapCookie;
  final AtomicReference<MultiMap> upgradeHeaders = new AtomicReference<>();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    portcullis = TestPortcullis.start(dir);
    webSockets = upstreams.vertx().createWebSocketClient();
    String upstream = upstreams.http(Clients.echo(), ws -> {
      upgradeHeaders.set(MultiMap.caseInsensitiveMultiMap().addAll(ws.headers()));
      ws.writeTextMessage("hello");
    });
    portcullis.createService("guarded", upstream, new JsonObject().put("iap", true).put("iapCompatible", true));
    portcullis.createService("plain", upstream);
    portcullis.grantAllSignedIn();
    user = portcullis.portcullis().accounts().orElseThrow()
        .create("real@example.com", Optional.empty(), "a password here");
    iapCookie = new SignedInSessions(portcullis, upstreams.vertx().createHttpClient()).signIn(user, "guarded").cookie();
  }

  @AfterAll
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
  }

  static Stream<Arguments> matrix() {
    List<Arguments> out = new ArrayList<>();
    for (String header : HEADERS) {
      for (String service : List.of("guarded", "plain")) {
        out.add(Arguments.of(header, service));
      }
    }
    return out.stream();
  }

  /** Each spelling twice, with values that name the spelling, so that any survivor is easy to read. */
  static List<String[]> forgeries(String header) {
    List<String[]> out = new ArrayList<>();
    for (String spelling : List.of(header, header.toLowerCase(Locale.ROOT), header.toUpperCase(Locale.ROOT),
        alternating(header), header.replace('-', '_'))) {
      out.add(new String[] {spelling, "forged-" + spelling + "-1"});
      out.add(new String[] {spelling, "forged-" + spelling + "-2"});
    }
    return out;
  }

  static String alternating(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      b.append(i % 2 == 0 ? Character.toLowerCase(s.charAt(i)) : Character.toUpperCase(s.charAt(i)));
    }
    return b.toString();
  }

  /** What Portcullis itself puts on a request to the IAP service, by lower-case name. */
  Map<String, String> ours() {
    return Map.of(
        "x-portcullis-user-email", user.identity().email(),
        "x-portcullis-user-id", user.identity().subject(),
        "x-goog-authenticated-user-email", "accounts.google.com:" + user.identity().email(),
        "x-goog-authenticated-user-id", "accounts.google.com:" + user.identity().subject());
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("matrix")
  void plainRequest_forgedCopiesNeverReachTheUpstream(String header, String service) throws Exception {
    List<String> lines = new ArrayList<>(List.of("GET / HTTP/1.1", "Host: " + portcullis.hostOf(service),
        "Accept: application/json", "Connection: close", "Cookie: portcullis=" + iapCookie));
    forgeries(header).forEach(f -> lines.add(f[0] + ": " + f[1]));

    RawHttp.Reply r = RawHttp.send(portcullis.port(), lines.toArray(String[]::new));

    assertThat(r.status()).isEqualTo(200);
    JsonObject seen = r.json();
    List<String> values = seen.getJsonArray("headers").stream().map(JsonArray.class::cast)
        .map(h -> h.getString(1)).toList();
    assertThat(values).noneMatch(v -> v.contains("forged"));
    assertThat(Clients.seenNames(seen)).noneMatch(n -> n.contains("_"));
    checkOwnHeaders(service, name -> Clients.seen(seen, name));
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("matrix")
  void webSocketUpgrade_forgedCopiesNeverReachTheUpstream(String header, String service) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(portcullis.port())
        .setURI("/ws").addHeader("host", portcullis.hostOf(service)).addHeader("cookie", "portcullis=" + iapCookie);
    forgeries(header).forEach(f -> options.addHeader(f[0], f[1]));
    upgradeHeaders.set(null);

    WebSocket ws = Clients.run(upstreams.vertx(), () -> webSockets.connect(options));
    ws.close();

    MultiMap seen = upgradeHeaders.get();
    assertThat(seen).isNotNull();
    seen.forEach(h -> assertThat(h.getValue()).as(h.getKey()).doesNotContain("forged"));
    assertThat(seen.names()).noneMatch(n -> n.contains("_"));
    checkOwnHeaders(service, seen::getAll);
  }

  /** On the IAP service each identity header is there once, with Portcullis's value; elsewhere none is. */
  void checkOwnHeaders(String service, java.util.function.Function<String, List<String>> seen) {
    if (service.equals("guarded")) {
      ours().forEach((name, value) -> assertThat(seen.apply(name)).as(name).containsExactly(value));
      assertThat(seen.apply("x-portcullis-jwt-assertion")).hasSize(1);
      assertThat(seen.apply("x-goog-iap-jwt-assertion")).hasSize(1);
    } else {
      for (String name : List.of("x-portcullis-jwt-assertion", "x-portcullis-user-email", "x-goog-iap-jwt-assertion")) {
        assertThat(seen.apply(name)).as(name).isEmpty();
      }
    }
  }
}
