package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.session.Tokens;
import dev.portcullis.testing.SignInFixture;
import dev.portcullis.testing.TestBrowser;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hand-off code that carries a sign-in to a service host: single use, for that host only, and only in
 * the browser that started the sign-in there. Every refusal leaves no session behind.
 */
class CallbackTest {
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

  /** Signs in up to the callback on dash, without opening it; the browser holds its binding cookie. */
  private SignInFixture.Flow upToCallback(TestBrowser browser, String email) {
    SignInFixture.Flow flow = f.signIn(browser, f.url("dash", "/inbox"), email, SignInFixture.PASSWORD, false);
    assertThat(flow.password().status()).isEqualTo(302);
    assertThat(flow.callbackUrl()).startsWith(f.url("dash", "/_portcullis/callback?code="));
    return flow;
  }

  private static String code(String callbackUrl) {
    return URI.create(callbackUrl).getRawQuery().substring("code=".length());
  }

  private static void assertRefused(TestBrowser.Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.headers().get("x-portcullis-generated-response")).isEqualTo("true");
    assertThat(r.location()).isNull();
    assertThat(r.sets("portcullis")).as("no session cookie").isFalse();
  }

  private static long hostSessions(String email, String service) {
    return f.sessionsOf(email).stream().filter(s -> s.host().equals(service + ".localhost")).count();
  }

  @Test
  void callback_acceptsTheCodeOnceInTheBrowserThatStarted() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    SignInFixture.Flow flow = upToCallback(browser, email);

    TestBrowser.Response r = browser.navigate(flow.callbackUrl());

    assertThat(r.status()).isEqualTo(302);
    assertThat(r.location()).isEqualTo(f.url("dash", "/inbox"));
    assertThat(hostSessions(email, "dash")).isEqualTo(1);
  }

  @Test
  void callback_refusesReplayedCode() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    SignInFixture.Flow flow = upToCallback(browser, email);
    String binding = browser.cookie(f.authority("dash"), "portcullis-signin").orElseThrow();
    assertThat(browser.navigate(flow.callbackUrl()).status()).isEqualTo(302);

    // The same code again, even with the binding cookie put back, in the same browser or another.
    browser.setCookie(f.authority("dash"), "portcullis-signin", binding);
    browser.removeCookie(f.authority("dash"), "portcullis");
    assertRefused(browser.navigate(flow.callbackUrl()));
    TestBrowser thief = f.browser();
    thief.setCookie(f.authority("dash"), "portcullis-signin", binding);
    assertRefused(thief.navigate(flow.callbackUrl()));

    assertThat(hostSessions(email, "dash")).isEqualTo(1);
  }

  @Test
  void callback_refusesCodeOnAnotherServiceHost() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    SignInFixture.Flow flow = upToCallback(browser, email);
    String binding = browser.cookie(f.authority("dash"), "portcullis-signin").orElseThrow();
    browser.setCookie(f.authority("wiki"), "portcullis-signin", binding);

    assertRefused(browser.navigate(f.url("wiki", "/_portcullis/callback?code=" + code(flow.callbackUrl()))));

    assertThat(hostSessions(email, "wiki")).isZero();
    assertThat(f.upstreamSaw("/_portcullis/callback")).isFalse();
  }

  @Test
  void callback_refusesCodeWithoutBindingCookie() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    SignInFixture.Flow flow = upToCallback(browser, email);
    browser.removeCookie(f.authority("dash"), "portcullis-signin");

    assertRefused(browser.navigate(flow.callbackUrl()));

    assertThat(hostSessions(email, "dash")).isZero();
  }

  @Test
  void callback_refusesCodeWithAnotherBrowsersBindingCookie() {
    String email = f.newAccount();
    TestBrowser victim = f.browser();
    SignInFixture.Flow flow = upToCallback(victim, email);
    // Another browser that started its own sign-in on the same host has a binding cookie of its own.
    TestBrowser other = f.browser();
    assertThat(other.navigate(f.url("dash", "/")).status()).isEqualTo(302);
    assertThat(other.cookie(f.authority("dash"), "portcullis-signin")).isPresent();

    assertRefused(other.navigate(flow.callbackUrl()));

    assertThat(hostSessions(email, "dash")).isZero();
  }

  @Test
  void callback_refusesCodeWithATamperedBindingCookie() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    SignInFixture.Flow flow = upToCallback(browser, email);
    String binding = browser.cookie(f.authority("dash"), "portcullis-signin").orElseThrow();
    browser.setCookie(f.authority("dash"), "portcullis-signin", flip(binding));

    assertRefused(browser.navigate(flow.callbackUrl()));

    assertThat(hostSessions(email, "dash")).isZero();
  }

  @Test
  void callback_refusesCodeOfARevokedSignIn() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    SignInFixture.Flow flow = upToCallback(browser, email);
    f.sessions().revokeUser(f.accounts().find(email).id());

    assertRefused(browser.navigate(flow.callbackUrl()));

    assertThat(f.sessionsOf(email)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "code=", "code=x", "code=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "code=%00", "code=../../etc", "code=a&code=b", "code=%zz", "code=%"})
  void callback_refusesUnknownOrMalformedCodes(String query) {
    TestBrowser browser = f.browser();
    assertThat(browser.navigate(f.url("dash", "/")).status()).isEqualTo(302);

    assertRefused(browser.navigate(f.url("dash", "/_portcullis/callback" + (query.isEmpty() ? "" : "?" + query))));
    assertRefused(browser.navigate(f.url("dash", "/_portcullis/callback?code=" + Tokens.newToken())));
    assertThat(f.upstreamSaw("/_portcullis/callback")).isFalse();
  }

  /** The same value with its first character changed. */
  static String flip(String v) {
    return (v.charAt(0) == 'A' ? "B" : "A") + v.substring(1);
  }
}
