package dev.portcullis.authn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Clients;
import dev.portcullis.testing.TestIdp;
import dev.portcullis.testing.TestPortcullis;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider's callback on the sign-in host: the state must be one Portcullis issued, to this browser,
 * unused. Every refusal leaves no session behind.
 */
class OidcCallbackTest {
  @TempDir static Path dir;
  static TestIdp idp;
  static TestPortcullis portcullis;
  static Vertx vertx;
  static HttpClient client;
  static final String EMAIL = "eve@example.com";

  record Answer(int status, String location, List<String> cookies, String body) {
    Optional<String> cookie(String name) {
      return cookies.stream().filter(c -> c.startsWith(name + "=")).map(c -> c.substring(name.length() + 1, c.indexOf(';')))
          .filter(v -> !v.isEmpty()).findFirst();
    }
  }

  /** A provider round trip up to the callback: the browser's login cookie and the callback URL. */
  record PendingCallback(String loginCookie, URI callback) {}

  @BeforeAll
  static void start() throws Exception {
    idp = TestIdp.start();
    Path secret = Files.writeString(dir.resolve("secret"), "callback-test-secret");
    portcullis = TestPortcullis.start(dir.resolve("data"), Map.of(
        "oidc.corp.issuer", idp.issuer().toString(),
        "oidc.corp.client_id", "portcullis",
        "oidc.corp.client_secret_file", secret.toString()));
    vertx = Vertx.vertx();
    client = vertx.createHttpClient();
    String upstream = "http://127.0.0.1:" + portcullis.adminPort();
    portcullis.createService("vault", upstream, new JsonObject().put("iap", true));
  }

  @AfterAll
  static void stop() throws Exception {
    portcullis.close();
    idp.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void eachUserSignsInFresh() {
    idp.nextUser("eve-1", Map.of("email", EMAIL, "email_verified", true));
  }

  @Test
  void callback_withTheRightBrowserAndState_signsIn_once() throws Exception {
    PendingCallback pending = startAtProvider();

    Answer first = callback(pending.callback().getRawQuery(), pending.loginCookie());
    assertThat(first.status()).isEqualTo(302);
    assertThat(first.location()).startsWith("http://vault.localhost:" + portcullis.port() + "/_portcullis/callback?code=");
    assertThat(first.cookie("portcullis")).isPresent();
    assertThat(sessions()).isEqualTo(1);

    Answer replay = callback(pending.callback().getRawQuery(), pending.loginCookie());
    assertRefused(replay);
    assertThat(sessions()).as("a replayed state makes no second session").isEqualTo(1);
    portcullis.portcullis().sessions().list(Optional.of(EMAIL)).forEach(s ->
        portcullis.portcullis().sessions().revokeByPublicId(s.publicId()));
  }

  @Test
  void signIn_keepsTheProvidersHostedDomain_onTheSession_forTheAssertionsHd() throws Exception {
    // Users queued at the provider by earlier tests whose sign-in stopped before the token request come
    // first; each round trip takes one, until the one whose token says hd.
    idp.nextUser("eve-1", Map.of("email", EMAIL, "email_verified", true, "hd", "corp.example"));
    Optional<String> hd = Optional.empty();
    for (int round = 0; round < 12 && hd.isEmpty(); round++) {
      PendingCallback pending = startAtProvider();
      assertThat(callback(pending.callback().getRawQuery(), pending.loginCookie()).status()).isEqualTo(302);
      var sessions = portcullis.portcullis().sessions().list(Optional.of(EMAIL));
      assertThat(sessions).hasSize(1);
      hd = sessions.get(0).identity().hostedDomain();
      sessions.forEach(s -> portcullis.portcullis().sessions().revokeByPublicId(s.publicId()));
    }

    assertThat(hd).contains("corp.example");
  }

  @Test
  void callback_withoutTheLoginCookie_isRefused() throws Exception {
    PendingCallback pending = startAtProvider();
    assertRefused(callback(pending.callback().getRawQuery(), null));
    assertThat(sessions()).isZero();
  }

  @Test
  void callback_withAnotherBrowsersLoginCookie_isRefused_andTheStateIsSpent() throws Exception {
    PendingCallback victim = startAtProvider();
    idp.nextUser("eve-1", Map.of("email", EMAIL, "email_verified", true));
    PendingCallback attacker = startAtProvider();

    assertRefused(callback(victim.callback().getRawQuery(), attacker.loginCookie()));
    assertRefused(callback(victim.callback().getRawQuery(), victim.loginCookie()));
    assertThat(sessions()).isZero();
  }

  @Test
  void callback_withMissingOrChangedState_isRefused() throws Exception {
    PendingCallback pending = startAtProvider();
    String code = TestIdp.queryParam(pending.callback(), "code").orElseThrow();
    String state = TestIdp.queryParam(pending.callback(), "state").orElseThrow();

    assertRefused(callback("code=" + enc(code), pending.loginCookie()));
    assertRefused(callback("code=" + enc(code) + "&state=" + enc(state + "x"), pending.loginCookie()));
    assertRefused(callback("code=" + enc(code) + "&state=", pending.loginCookie()));
    assertThat(sessions()).isZero();
  }

  @Test
  void callback_withAProviderError_isRefused() throws Exception {
    PendingCallback pending = startAtProvider();
    String state = TestIdp.queryParam(pending.callback(), "state").orElseThrow();
    assertRefused(callback("error=access_denied&state=" + enc(state), pending.loginCookie()));
    assertThat(sessions()).isZero();
  }

  private static void assertRefused(Answer a) {
    assertThat(a.status()).as(a.body()).isEqualTo(403);
    assertThat(a.cookie("portcullis")).as("no session cookie on a refusal").isEmpty();
    assertThat(a.location()).isNull();
  }

  private static int sessions() {
    return portcullis.portcullis().sessions().list(Optional.of(EMAIL)).size();
  }

  /** Service host → sign-in host → provider, as a browser would, up to the provider's redirect back. */
  private PendingCallback startAtProvider() throws Exception {
    Answer toSignIn = get("vault.localhost", "/", null);
    assertThat(toSignIn.status()).isEqualTo(302);
    String request = TestIdp.queryParam(URI.create(toSignIn.location()), "request").orElseThrow();
    Answer toProvider = get("auth.localhost", "/_portcullis/signin/oidc/corp?request=" + enc(request), null);
    assertThat(toProvider.status()).as(toProvider.body()).isEqualTo(302);
    String login = toProvider.cookie("portcullis-login").orElseThrow();
    URI callback = idp.authorize(URI.create(toProvider.location()));
    assertThat(callback.getPath()).isEqualTo("/_portcullis/oidc/callback");
    return new PendingCallback(login, callback);
  }

  private static Answer callback(String rawQuery, String loginCookie) throws Exception {
    return get("auth.localhost", "/_portcullis/oidc/callback?" + rawQuery,
        loginCookie == null ? null : "portcullis-login=" + loginCookie);
  }

  private static Answer get(String host, String pathAndQuery, String cookie) throws Exception {
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(portcullis.port())
        .setURI(pathAndQuery).putHeader("host", host + ":" + portcullis.port()).putHeader("accept", "text/html");
    if (cookie != null) {
      o.putHeader("cookie", cookie);
    }
    // Started on a Vert.x context: an exchange started from the test thread can lose its response.
    return Clients.run(vertx, () -> client.request(o).compose(r -> r.send())
        .compose(r -> r.body().map(b -> new Answer(r.statusCode(), r.getHeader("location"), r.cookies(), b.toString()))));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
