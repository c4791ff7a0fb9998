package dev.portcullis.authn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.SignInFixture;
import dev.portcullis.testing.TestBrowser;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The built-in account sign-in, end to end: from a navigation to the app, through the form, and back. */
class SignInFlowTest {
  @TempDir static Path dir;
  static SignInFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = SignInFixture.start(dir, Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  @Test
  void navigation_signsInAndReturnsToExactOriginalUrl() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    String original = f.url("dash", "/reports/q1;v=2?x=1&y=a%20b&x=3");

    SignInFixture.Flow flow = f.signIn(browser, original, email, SignInFixture.PASSWORD, true);

    // The service host binds the sign-in to this browser and sends it to the sign-in host.
    assertThat(flow.start().headers().get("x-portcullis-generated-response")).isEqualTo("true");
    assertHostOnly(flow.start().setCookie("portcullis-signin").orElseThrow());
    // The sign-in host shows the form with a CSRF token that matches its cookie.
    assertThat(flow.form().body()).contains("name=\"password\"").contains("dash");
    assertThat(flow.form().formField("csrf")).contains(flow.form().setCookie("portcullis-csrf").orElseThrow().value());
    // The password is accepted: a central session on the sign-in host, a code for the service host.
    assertThat(flow.password().status()).isEqualTo(302);
    assertHostOnly(flow.password().setCookie("portcullis").orElseThrow());
    assertThat(flow.callbackUrl()).startsWith(f.url("dash", "/_portcullis/callback?code="));
    // The callback gives the service host its own session and returns to the exact URL.
    assertThat(flow.callback().status()).isEqualTo(302);
    assertThat(flow.callback().location()).isEqualTo(original);
    Cookie hostCookie = flow.callback().setCookie("portcullis").orElseThrow();
    assertHostOnly(hostCookie);
    assertThat(hostCookie.value()).isNotEqualTo(flow.password().setCookie("portcullis").orElseThrow().value());
    assertThat(flow.callback().setCookie("portcullis-signin").orElseThrow().maxAge()).isZero();

    TestBrowser.Response app = browser.follow(flow.callback());
    assertThat(app.status()).isEqualTo(200);
    assertThat(app.json().getString("uri")).isEqualTo("/reports/q1;v=2?x=1&y=a%20b&x=3");
    assertThat(f.sessionsOf(email)).hasSize(2);
  }

  @Test
  void upstream_seesAppCookiesButNoneOfPortcullis() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    f.signedIn(browser, f.url("dash", "/"), email);
    browser.setCookie(f.authority("dash"), "app", "1");
    browser.setCookie(f.authority("dash"), "portcullis-signin", "x");
    browser.setCookie(f.authority("dash"), "portcullis-csrf", "y");
    browser.setCookie(f.authority("dash"), "portcullis-login", "z");
    browser.setCookie(f.authority("dash"), "__Host-portcullis", "w");
    browser.setCookie(f.authority("dash"), "theme", "dark");

    TestBrowser.Response r = browser.navigate(f.url("dash", "/cookies"));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getJsonArray("cookies").getList()).containsExactly("app=1; theme=dark");
  }

  @Test
  void secondHost_getsItsOwnSessionFromTheCentralOneWithoutTheForm() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    f.signedIn(browser, f.url("dash", "/"), email);
    String dashCookie = browser.cookie(f.authority("dash"), "portcullis").orElseThrow();

    TestBrowser.Response start = browser.navigate(f.url("wiki", "/page?id=7"));
    assertThat(start.status()).isEqualTo(302);
    TestBrowser.Response handBack = browser.follow(start);
    assertThat(handBack.status()).as("the central session answers at once").isEqualTo(302);
    assertThat(handBack.location()).startsWith(f.url("wiki", "/_portcullis/callback?code="));
    TestBrowser.Response callback = browser.follow(handBack);
    assertThat(callback.location()).isEqualTo(f.url("wiki", "/page?id=7"));
    TestBrowser.Response app = browser.follow(callback);

    assertThat(app.status()).isEqualTo(200);
    assertThat(app.json().getString("uri")).isEqualTo("/page?id=7");
    assertThat(browser.cookie(f.authority("wiki"), "portcullis")).isPresent().get().isNotEqualTo(dashCookie);
    assertThat(f.sessionsOf(email)).extracting(s -> s.host())
        .containsExactlyInAnyOrder("auth.localhost", "dash.localhost", "wiki.localhost");
  }

  @Test
  void sessionCookie_ofOneServiceHostIsRefusedOnAnother() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    f.signedIn(browser, f.url("dash", "/"), email);
    TestBrowser other = f.browser();
    other.setCookie(f.authority("wiki"), "portcullis", browser.cookie(f.authority("dash"), "portcullis").orElseThrow());

    TestBrowser.Response r = other.navigate(f.url("wiki", "/secret-wiki-page"));

    assertThat(r.status()).isEqualTo(302);
    assertThat(r.location()).startsWith(f.authUrl("/_portcullis/signin?request="));
    assertThat(f.upstreamSaw("/secret-wiki-page")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/_portcullis/sign_out", "/_gcp_iap/clear_login_cookie",
      "/any/page?gcp-iap-mode=CLEAR_LOGIN_COOKIE"})
  void signOut_endsTheSessionsOfEveryHost(String signOutPath) {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    f.signedIn(browser, f.url("dash", "/"), email);
    f.handedOff(browser, f.url("wiki", "/"));
    Map<String, String> dashCookies = browser.cookies(f.authority("dash"));
    Map<String, String> wikiCookies = browser.cookies(f.authority("wiki"));
    Map<String, String> authCookies = browser.cookies(f.authAuthority());
    assertThat(authCookies).containsKey("portcullis");

    TestBrowser.Response out = browser.navigate(f.url("dash", signOutPath));

    assertThat(out.status()).isEqualTo(302);
    assertThat(out.location()).isEqualTo(f.authUrl("/_portcullis/sign_out"));
    assertThat(out.setCookie("portcullis").orElseThrow().maxAge()).isZero();
    TestBrowser.Response central = browser.follow(out);
    assertThat(central.status()).isEqualTo(302);
    assertThat(central.location()).isEqualTo(f.authUrl("/_portcullis/signed_out"));
    TestBrowser.Response page = browser.follow(central);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("signed out");
    assertThat(f.sessionsOf(email)).isEmpty();
    // Even with the old cookie values put back, every host sends the browser to sign in again.
    dashCookies.forEach((k, v) -> browser.setCookie(f.authority("dash"), k, v));
    wikiCookies.forEach((k, v) -> browser.setCookie(f.authority("wiki"), k, v));
    authCookies.forEach((k, v) -> browser.setCookie(f.authAuthority(), k, v));
    for (String service : List.of("dash", "wiki")) {
      TestBrowser.Response again = browser.navigate(f.url(service, "/after-sign-out"));
      assertThat(again.status()).as(service).isEqualTo(302);
      TestBrowser.Response signIn = browser.follow(again);
      assertThat(signIn.status()).as("the central session is gone too: the form again").isEqualTo(200);
      assertThat(signIn.formField("csrf")).isPresent();
    }
    assertThat(f.upstreamSaw("/after-sign-out")).isFalse();
    assertThat(f.seen()).noneMatch(s -> s.uri().contains("sign_out") || s.uri().contains("clear_login_cookie")
        || s.uri().contains("gcp-iap-mode"));
  }

  @Test
  void signOut_withoutSessionStillClearsAndNeverReachesUpstream() {
    TestBrowser browser = f.browser();
    TestBrowser.Response out = browser.navigate(f.url("dash", "/_portcullis/sign_out"));
    assertThat(out.status()).isEqualTo(302);
    assertThat(out.location()).isEqualTo(f.authUrl("/_portcullis/sign_out"));
    assertThat(f.upstreamSaw("/_portcullis/sign_out")).isFalse();
  }

  @Test
  void identity_answersBothSpellingsWithoutReachingUpstream() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    f.signedIn(browser, f.url("dash", "/"), email);
    String userId = f.accounts().find(email).id();

    TestBrowser.Response own = browser.send(HttpMethod.GET, f.url("dash", "/_portcullis/identity"),
        Map.of("accept", "application/json"), null);
    TestBrowser.Response iap = browser.send(HttpMethod.GET, f.url("dash", "/_gcp_iap/identity"),
        Map.of("accept", "application/json"), null);

    assertThat(own.status()).isEqualTo(200);
    assertThat(own.headers().get("x-portcullis-generated-response")).isEqualTo("true");
    assertThat(own.json()).isEqualTo(new JsonObject().put("email", email).put("subject", "local:" + userId)
        .put("provider", "local"));
    assertThat(iap.status()).isEqualTo(200);
    assertThat(iap.json()).isEqualTo(new JsonObject().put("email", "accounts.google.com:" + email)
        .put("sub", "accounts.google.com:local:" + userId));
    assertThat(f.upstreamSaw("/_portcullis/identity")).isFalse();
    assertThat(f.upstreamSaw("/_gcp_iap/identity")).isFalse();
  }

  @Test
  void identity_withoutSessionIsRefused() {
    TestBrowser browser = f.browser();
    TestBrowser.Response r = browser.send(HttpMethod.GET, f.url("dash", "/_portcullis/identity"),
        Map.of("accept", "application/json"), null);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.json().containsKey("email")).isFalse();
  }

  /** Requests that are not page navigations: fetch, XHR, a POST, a non-HTML Accept, no Accept at all. */
  static List<Map<String, String>> notNavigations() {
    return List.of(
        Map.of("accept", "*/*", "sec-fetch-mode", "cors", "sec-fetch-dest", "empty"),
        Map.of("accept", "text/html", "x-requested-with", "XMLHttpRequest"),
        Map.of("accept", "application/json"),
        Map.of("accept", "text/html", "sec-fetch-mode", "no-cors"),
        Map.of());
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("notNavigations")
  void notANavigation_gets401JsonWithLoginUrl(Map<String, String> headers) {
    TestBrowser browser = f.browser();

    TestBrowser.Response r = browser.send(HttpMethod.GET, f.url("dash", "/api/items?page=2"), headers, null);

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.headers().get("content-type")).startsWith("application/json");
    assertThat(r.headers().get("x-portcullis-generated-response")).isEqualTo("true");
    assertThat(r.json().getString("login_url"))
        .isEqualTo(f.url("dash", "/_portcullis/start?rd=%2Fapi%2Fitems%3Fpage%3D2"));
    assertThat(r.sets("portcullis-signin")).isFalse();
    assertThat(f.upstreamSaw("/api/items")).isFalse();
  }

  @Test
  void post_gets401JsonWithLoginUrlToTheServiceRoot() {
    TestBrowser browser = f.browser();
    TestBrowser.Response r = browser.post(f.url("dash", "/api/items"), Map.of("a", "1"),
        Map.of("accept", TestBrowser.NAVIGATION_ACCEPT, "sec-fetch-mode", "navigate"));
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.json().getString("login_url")).isEqualTo(f.url("dash", "/_portcullis/start?rd=%2F"));
    assertThat(f.upstreamSaw("/api/items")).isFalse();
  }

  @Test
  void loginUrl_leadsThroughSignInBackToTheRequestedPath() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    String loginUrl = browser.send(HttpMethod.GET, f.url("dash", "/api/items?page=2"), Map.of(), null)
        .json().getString("login_url");

    SignInFixture.Flow flow = f.signIn(browser, loginUrl, email, SignInFixture.PASSWORD, true);

    assertThat(flow.callback().location()).isEqualTo(f.url("dash", "/api/items?page=2"));
  }

  private static void assertHostOnly(Cookie c) {
    assertThat(c.domain()).as("host-only").isNull();
    assertThat(c.path()).isEqualTo("/");
    assertThat(c.isHttpOnly()).isTrue();
    assertThat(c.value()).isNotEmpty();
    assertThat(((DefaultCookie) c).sameSite()).hasToString("Lax");
  }
}
