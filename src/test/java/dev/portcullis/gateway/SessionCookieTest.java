package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.session.Tokens;
import dev.portcullis.testing.SignInFixture;
import dev.portcullis.testing.TestBrowser;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Only a session cookie that Portcullis issued for this very host lets a request through: guessed,
 * altered, borrowed from the sign-in host, or malformed values all get the sign-in answer, and the
 * upstream never sees the request.
 */
class SessionCookieTest {
  @TempDir static Path dir;
  static SignInFixture f;
  static TestBrowser owner;
  static String dashCookie;
  static String centralCookie;

  @BeforeAll
  static void start() throws Exception {
    f = SignInFixture.start(dir, Map.of());
    owner = f.browser();
    f.signedIn(owner, f.url("dash", "/"), f.newAccount());
    dashCookie = owner.cookie(f.authority("dash"), "portcullis").orElseThrow();
    centralCookie = owner.cookie(f.authAuthority(), "portcullis").orElseThrow();
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  private static void assertSignInRequired(String cookieHeader, String path) {
    TestBrowser stranger = f.browser();
    TestBrowser.Response nav = stranger.send(HttpMethod.GET, f.url("dash", path), Map.of("cookie", cookieHeader,
        "accept", TestBrowser.NAVIGATION_ACCEPT), null);
    assertThat(nav.status()).as(cookieHeader).isEqualTo(302);
    assertThat(nav.location()).startsWith(f.authUrl("/_portcullis/signin?request="));
    TestBrowser.Response api = stranger.send(HttpMethod.GET, f.url("dash", path), Map.of("cookie", cookieHeader,
        "accept", "application/json"), null);
    assertThat(api.status()).as(cookieHeader).isEqualTo(401);
    assertThat(f.upstreamSaw(path)).isFalse();
  }

  @Test
  void genuineCookie_isAccepted() {
    // The control for the cases below.
    TestBrowser.Response r = f.browser().send(HttpMethod.GET, f.url("dash", "/control"),
        Map.of("cookie", "portcullis=" + dashCookie), null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getString("uri")).isEqualTo("/control");
  }

  @Test
  void guessedCookie_isRefused() {
    for (int i = 0; i < 20; i++) {
      assertSignInRequired("portcullis=" + Tokens.newToken(), "/guessed-" + i);
    }
  }

  @Test
  void alteredCookie_isRefused() {
    for (int i : new int[] {0, 21, 42}) {
      char c = dashCookie.charAt(i);
      String altered = dashCookie.substring(0, i) + (c == 'A' ? 'B' : 'A') + dashCookie.substring(i + 1);
      assertSignInRequired("portcullis=" + altered, "/altered-" + i);
    }
    assertSignInRequired("portcullis=" + dashCookie.substring(1), "/shortened");
    assertSignInRequired("portcullis=" + dashCookie + "A", "/lengthened");
    assertSignInRequired("portcullis=" + dashCookie.toUpperCase(), "/upper");
  }

  @Test
  void centralCookie_isRefusedOnAServiceHost() {
    assertSignInRequired("portcullis=" + centralCookie, "/central");
  }

  @Test
  void cookieUnderAnotherName_isRefused() {
    // On plain HTTP only the unprefixed name is Portcullis's; __Host- names are read only over HTTPS.
    assertSignInRequired("__Host-portcullis=" + dashCookie, "/prefixed");
    assertSignInRequired("Portcullis=" + dashCookie, "/capital");
    assertSignInRequired("portcullis-signin=" + dashCookie, "/binding-name");
  }

  @ParameterizedTest
  @ValueSource(strings = {"portcullis=", "portcullis", "portcullis=\"\"", "portcullis=%00", "portcullis=../../x",
      "portcullis=a;portcullis=b", "portcullis=' OR 1=1 --"})
  void malformedCookie_isRefused(String header) {
    assertSignInRequired(header, "/malformed-" + Integer.toHexString(header.hashCode()));
  }

  @Test
  void revokedThenReplayedCookie_isRefused() {
    TestBrowser browser = f.browser();
    f.signedIn(browser, f.url("dash", "/"), f.newAccount());
    String cookie = browser.cookie(f.authority("dash"), "portcullis").orElseThrow();
    browser.navigate(f.url("dash", "/_portcullis/sign_out"));

    assertSignInRequired("portcullis=" + cookie, "/replayed");
  }

  @Test
  void forwardedProtoFromAnUntrustedPeer_changesNothing() {
    TestBrowser.Response r = f.browser().always("x-forwarded-proto", "https").navigate(f.url("dash", "/"));

    assertThat(r.location()).startsWith(f.authUrl("/_portcullis/signin?request="));
    assertThat(r.sets("portcullis-signin")).isTrue();
    assertThat(r.sets("__Host-portcullis-signin")).isFalse();
  }

  @Test
  void malformedQuery_getsAnAnswerAndTheUsualGate() {
    // A stray '%' must not stop the gate from answering.
    TestBrowser stranger = f.browser();
    TestBrowser.Response nav = stranger.raw(HttpMethod.GET, f.authority("dash"), "/search?q=100%&x=%zz",
        Map.of("accept", TestBrowser.NAVIGATION_ACCEPT), null);
    assertThat(nav.status()).isEqualTo(302);
    TestBrowser.Response api = stranger.raw(HttpMethod.GET, f.authority("dash"), "/search?q=100%",
        Map.of("accept", "application/json"), null);
    assertThat(api.status()).isEqualTo(401);
    assertThat(f.upstreamSaw("/search")).isFalse();

    TestBrowser.Response signedIn = f.browser().raw(HttpMethod.GET, f.authority("dash"),
        "/search?q=100%&gcp-iap-mode=CLEAR_LOGIN_COOKIE%", Map.of("cookie", "portcullis=" + dashCookie), null);
    assertThat(signedIn.status()).isEqualTo(200);
    assertThat(signedIn.json().getString("uri")).isEqualTo("/search?q=100%&gcp-iap-mode=CLEAR_LOGIN_COOKIE%");
  }
}
