package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.SignInFixture;
import dev.portcullis.testing.TestBrowser;
import io.netty.handler.codec.http.cookie.Cookie;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behind a trusted proxy that terminates TLS (X-Forwarded-Proto: https), every Portcullis cookie carries
 * the __Host- prefix and Secure, every redirect stays on https, and the unprefixed names mean nothing.
 */
class SecureCookiesTest {
  @TempDir static Path dir;
  static SignInFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = SignInFixture.start(dir, Map.of("trusted_proxies", "127.0.0.1/32"));
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  private static String https(String authority, String path) {
    return "https://" + authority + path;
  }

  private static void assertSecureHostCookie(Cookie c) {
    assertThat(c.name()).startsWith("__Host-");
    assertThat(c.isSecure()).isTrue();
    assertThat(c.isHttpOnly()).isTrue();
    assertThat(c.domain()).isNull();
    assertThat(c.path()).isEqualTo("/");
  }

  @Test
  void signIn_overHttpsUsesHostPrefixedSecureCookiesThroughout() {
    String email = f.newAccount();
    TestBrowser browser = f.browser().always("x-forwarded-proto", "https");
    String original = https(f.authority("dash"), "/x?y=1");

    TestBrowser.Response start = browser.navigate(original);
    assertThat(start.location()).startsWith(https(f.authAuthority(), "/_portcullis/signin?request="));
    assertSecureHostCookie(start.setCookie("__Host-portcullis-signin").orElseThrow());
    TestBrowser.Response form = browser.follow(start);
    assertSecureHostCookie(form.setCookie("__Host-portcullis-csrf").orElseThrow());
    TestBrowser.Response posted = browser.submit(https(f.authAuthority(), "/_portcullis/signin/password"), Map.of(
        "email", email, "password", SignInFixture.PASSWORD,
        "request", form.formField("request").orElseThrow(), "csrf", form.formField("csrf").orElseThrow()));
    assertThat(posted.status()).as(posted.body()).isEqualTo(302);
    assertThat(posted.location()).startsWith(https(f.authority("dash"), "/_portcullis/callback?code="));
    assertSecureHostCookie(posted.setCookie("__Host-portcullis").orElseThrow());
    TestBrowser.Response callback = browser.follow(posted);
    assertThat(callback.location()).isEqualTo(original);
    assertSecureHostCookie(callback.setCookie("__Host-portcullis").orElseThrow());
    assertThat(callback.setCookies()).noneMatch(c -> c.name().startsWith("portcullis"));

    browser.setCookie(f.authority("dash"), "app", "1");
    TestBrowser.Response app = browser.follow(callback);
    assertThat(app.status()).isEqualTo(200);
    assertThat(app.json().getJsonArray("cookies").getList()).containsExactly("app=1");

    String hostCookie = browser.cookie(f.authority("dash"), "__Host-portcullis").orElseThrow();
    // The unprefixed name over HTTPS, and the prefixed one over plain HTTP, are not Portcullis's cookie.
    TestBrowser.Response unprefixed = f.browser().always("x-forwarded-proto", "https").send(HttpMethod.GET,
        https(f.authority("dash"), "/unprefixed"), Map.of("cookie", "portcullis=" + hostCookie), null);
    assertThat(unprefixed.status()).isEqualTo(401);
    TestBrowser.Response plain = f.browser().send(HttpMethod.GET, f.url("dash", "/plain"),
        Map.of("cookie", "__Host-portcullis=" + hostCookie), null);
    assertThat(plain.status()).isEqualTo(401);
    assertThat(f.upstreamSaw("/unprefixed")).isFalse();
    assertThat(f.upstreamSaw("/plain")).isFalse();
  }

  @Test
  void signOut_overHttpsClearsThePrefixedCookie() {
    String email = f.newAccount();
    TestBrowser browser = f.browser().always("x-forwarded-proto", "https");
    TestBrowser.Response start = browser.navigate(https(f.authority("dash"), "/"));
    TestBrowser.Response form = browser.follow(start);
    TestBrowser.Response posted = browser.submit(https(f.authAuthority(), "/_portcullis/signin/password"), Map.of(
        "email", email, "password", SignInFixture.PASSWORD,
        "request", form.formField("request").orElseThrow(), "csrf", form.formField("csrf").orElseThrow()));
    browser.follow(browser.follow(posted));

    TestBrowser.Response out = browser.navigate(https(f.authority("dash"), "/_portcullis/sign_out"));

    assertThat(out.location()).isEqualTo(https(f.authAuthority(), "/_portcullis/sign_out"));
    Cookie cleared = out.setCookie("__Host-portcullis").orElseThrow();
    assertThat(cleared.maxAge()).isZero();
    assertThat(cleared.isSecure()).isTrue();
    assertThat(f.sessionsOf(email)).isEmpty();
  }
}
