package dev.portcullis.authn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.session.Tokens;
import dev.portcullis.testing.SignInFixture;
import dev.portcullis.testing.TestBrowser;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The built-in sign-in form: CSRF protection, wrong passwords and lockout, disabled accounts, and a fresh
 * session id at every sign-in. Every refusal here is made with the right password, so it can only come
 * from the check under test, and leaves no session.
 */
class PasswordFormTest {
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

  /** Opens the sign-in form for dash in this browser. */
  private static TestBrowser.Response form(TestBrowser browser) {
    TestBrowser.Response form = browser.follow(browser.navigate(f.url("dash", "/")));
    assertThat(form.status()).isEqualTo(200);
    return form;
  }

  private static Map<String, String> fields(TestBrowser.Response form, String email, String password) {
    Map<String, String> fields = new HashMap<>();
    fields.put("email", email);
    fields.put("password", password);
    fields.put("request", form.formField("request").orElseThrow());
    fields.put("csrf", form.formField("csrf").orElseThrow());
    return fields;
  }

  private static Map<String, String> sameOrigin() {
    return Map.of("origin", "http://" + f.authAuthority(), "sec-fetch-site", "same-origin",
        "accept", TestBrowser.NAVIGATION_ACCEPT);
  }

  private static TestBrowser.Response post(TestBrowser browser, Map<String, String> fields, Map<String, String> headers) {
    return browser.post(f.authUrl("/_portcullis/signin/password"), fields, headers);
  }

  private static void assertForbidden(TestBrowser.Response r, String email) {
    assertThat(r.status()).as(r.body()).isEqualTo(403);
    assertThat(r.location()).isNull();
    assertThat(r.sets("portcullis")).isFalse();
    assertThat(f.sessionsOf(email)).isEmpty();
  }

  @Test
  void password_refusesMissingCsrfField() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    Map<String, String> fields = fields(form(browser), email, SignInFixture.PASSWORD);
    fields.remove("csrf");

    assertForbidden(post(browser, fields, sameOrigin()), email);
  }

  @Test
  void password_refusesWrongCsrfValue() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    Map<String, String> fields = fields(form(browser), email, SignInFixture.PASSWORD);
    fields.put("csrf", Tokens.newToken());

    assertForbidden(post(browser, fields, sameOrigin()), email);
  }

  @Test
  void password_refusesCsrfTokenOfAnotherBrowser() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    Map<String, String> fields = fields(form(browser), email, SignInFixture.PASSWORD);
    fields.put("csrf", form(f.browser()).formField("csrf").orElseThrow());

    assertForbidden(post(browser, fields, sameOrigin()), email);
  }

  @Test
  void password_refusesMissingCsrfCookie() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    Map<String, String> fields = fields(form(browser), email, SignInFixture.PASSWORD);
    browser.removeCookie(f.authAuthority(), "portcullis-csrf");

    assertForbidden(post(browser, fields, sameOrigin()), email);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://evil.test", "https://auth.localhost.evil.test", "http://dash.localhost",
      "not a url", "http://auth.localhost@evil.test"})
  void password_refusesCrossSiteOrigin(String origin) {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    Map<String, String> fields = fields(form(browser), email, SignInFixture.PASSWORD);

    assertForbidden(post(browser, fields, Map.of("origin", origin, "accept", TestBrowser.NAVIGATION_ACCEPT)), email);
  }

  @ParameterizedTest
  @ValueSource(strings = {"cross-site", "same-site"})
  void password_refusesPostFromAnotherSite(String fetchSite) {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    Map<String, String> fields = fields(form(browser), email, SignInFixture.PASSWORD);

    assertForbidden(post(browser, fields, Map.of("sec-fetch-site", fetchSite)), email);
  }

  @Test
  void password_acceptsFormWithoutOriginHeaders() {
    // Older clients send neither Origin nor Sec-Fetch-Site: the double-submit token alone decides.
    String email = f.newAccount();
    TestBrowser browser = f.browser();

    TestBrowser.Response r = post(browser, fields(form(browser), email, SignInFixture.PASSWORD), Map.of());

    assertThat(r.status()).isEqualTo(302);
    assertThat(r.location()).startsWith(f.url("dash", "/_portcullis/callback?code="));
  }

  @Test
  void password_wrongPasswordShowsTheFormAgainWithoutSession() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();

    TestBrowser.Response r = browser.submit(f.authUrl("/_portcullis/signin/password"),
        fields(form(browser), email, "wrong password 123"));

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).contains("Wrong email or password").contains(email);
    assertThat(r.formField("csrf")).isPresent();
    assertThat(r.sets("portcullis")).isFalse();
    assertThat(f.sessionsOf(email)).isEmpty();
  }

  @Test
  void password_echoesTheEmailBackEscaped() {
    TestBrowser browser = f.browser();
    String hostile = "\"><script>alert(1)</script>@example.com";

    TestBrowser.Response r = browser.submit(f.authUrl("/_portcullis/signin/password"),
        fields(form(browser), hostile, "wrong password 123"));

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).doesNotContain("<script>alert(1)").doesNotContain("value=\"\">").contains("&lt;script");
    assertThat(r.headers().get("content-security-policy")).contains("default-src 'none'");
  }

  @Test
  void password_unknownAccountLooksLikeAWrongPassword() {
    TestBrowser browser = f.browser();
    TestBrowser.Response r = browser.submit(f.authUrl("/_portcullis/signin/password"),
        fields(form(browser), "nobody@example.com", SignInFixture.PASSWORD));

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).contains("Wrong email or password");
  }

  @Test
  void password_locksTheAccountAfterFiveFailures() {
    String email = f.newAccount();
    String neighbour = f.newAccount();
    TestBrowser browser = f.browser();
    TestBrowser.Response form = form(browser);
    for (int i = 0; i < 5; i++) {
      form = browser.submit(f.authUrl("/_portcullis/signin/password"), fields(form, email, "wrong password " + i));
      assertThat(form.status()).as("attempt " + (i + 1)).isEqualTo(401);
    }

    TestBrowser.Response r = browser.submit(f.authUrl("/_portcullis/signin/password"),
        fields(form, email, SignInFixture.PASSWORD));

    assertThat(r.status()).isEqualTo(429);
    assertThat(r.body()).contains("Too many failed attempts");
    assertThat(r.sets("portcullis")).isFalse();
    assertThat(f.sessionsOf(email)).isEmpty();
    // Locked stays locked: the right password again, from a fresh browser, is still refused.
    TestBrowser other = f.browser();
    assertThat(other.submit(f.authUrl("/_portcullis/signin/password"),
        fields(form(other), email, SignInFixture.PASSWORD)).status()).isEqualTo(429);
    // The lock is on that account, not on everyone signing in from this address.
    f.signedIn(f.browser(), f.url("dash", "/"), neighbour);
  }

  @Test
  void disabledAccount_isRefusedOnItsNextRequest() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    f.signedIn(browser, f.url("dash", "/"), email);
    f.handedOff(browser, f.url("wiki", "/"));

    f.accounts().setDisabled(email, true);
    f.sessions().revokeUser(f.accounts().find(email).id());

    TestBrowser.Response dash = browser.navigate(f.url("dash", "/next"));
    assertThat(dash.status()).isEqualTo(302);
    assertThat(browser.send(HttpMethod.GET, f.url("wiki", "/next"), Map.of("accept", "application/json"), null)
        .status()).isEqualTo(401);
    TestBrowser.Response signIn = browser.follow(dash);
    assertThat(signIn.status()).as("no hand-back from the central session").isEqualTo(200);
    TestBrowser.Response again = browser.submit(f.authUrl("/_portcullis/signin/password"),
        fields(signIn, email, SignInFixture.PASSWORD));
    assertThat(again.status()).isEqualTo(401);
    assertThat(f.sessionsOf(email)).isEmpty();
    assertThat(f.upstreamSaw("/next")).isFalse();
  }

  @Test
  void signIn_issuesNewSessionIdsWhateverCookieWasThereBefore() {
    String email = f.newAccount();
    String planted = Tokens.newToken();
    TestBrowser victim = f.browser();
    victim.setCookie(f.authAuthority(), "portcullis", planted);
    victim.setCookie(f.authority("dash"), "portcullis", planted);

    SignInFixture.Flow flow = f.signIn(victim, f.url("dash", "/"), email, SignInFixture.PASSWORD, true);

    String central = flow.password().setCookie("portcullis").orElseThrow().value();
    String host = flow.callback().setCookie("portcullis").orElseThrow().value();
    assertThat(central).isNotEqualTo(planted);
    assertThat(host).isNotEqualTo(planted).isNotEqualTo(central);
    // Whoever planted the value holds nothing.
    TestBrowser attacker = f.browser();
    attacker.setCookie(f.authority("dash"), "portcullis", planted);
    assertThat(attacker.navigate(f.url("dash", "/")).status()).isEqualTo(302);
    attacker.setCookie(f.authAuthority(), "portcullis", planted);
    assertThat(attacker.follow(attacker.navigate(f.url("dash", "/"))).status()).as("the form, no hand-back")
        .isEqualTo(200);
    // Signing in again gives yet another id.
    SignInFixture.Flow again = f.signIn(f.browser(), f.url("dash", "/"), email, SignInFixture.PASSWORD, true);
    assertThat(again.password().setCookie("portcullis").orElseThrow().value()).isNotIn(central, planted);
  }

  @ParameterizedTest
  @ValueSource(strings = {"request=%zz&csrf=%", "%", "a=b&&&==", "request"})
  void password_refusesMalformedForm(String body) {
    TestBrowser browser = f.browser();
    form(browser);
    TestBrowser.Response r = browser.send(HttpMethod.POST, f.authUrl("/_portcullis/signin/password"),
        Map.of("content-type", "application/x-www-form-urlencoded"), body);

    assertThat(r.status()).as(r.body()).isBetween(400, 403);
    assertThat(r.sets("portcullis")).isFalse();
  }

  @Test
  void password_refusesOversizedFormAndOtherContentTypes() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    Map<String, String> fields = fields(form(browser), email, SignInFixture.PASSWORD);
    fields.put("padding", "x".repeat(200_000));
    TestBrowser.Response big = post(browser, fields, sameOrigin());
    assertThat(big.status()).as(big.body()).isIn(400, 413);

    for (String type : List.of("application/json", "multipart/form-data; boundary=x", "text/plain")) {
      TestBrowser.Response r = browser.send(HttpMethod.POST, f.authUrl("/_portcullis/signin/password"),
          Map.of("content-type", type), TestBrowser.form(fields(form(browser), email, SignInFixture.PASSWORD)));
      assertThat(r.status()).as(type).isEqualTo(400);
    }
    assertThat(f.sessionsOf(email)).isEmpty();
  }
}
