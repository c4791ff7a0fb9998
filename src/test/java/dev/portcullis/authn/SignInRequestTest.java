package dev.portcullis.authn;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.session.Tokens;
import dev.portcullis.testing.SignInFixture;
import dev.portcullis.testing.TestBrowser;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The signed sign-in request that carries a sign-in from a service host to the sign-in host. Anything
 * not signed by this deployment, expired, or naming a return URL outside the service that started the
 * flow is refused, with or without a central session, and no session is created.
 */
class SignInRequestTest {
  @TempDir static Path dir;
  static SignInFixture f;
  static byte[] key;

  @BeforeAll
  static void start() throws Exception {
    f = SignInFixture.start(dir, Map.of());
    key = f.requestKey();
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  /** A browser that has started a sign-in on dash: its binding cookie and the genuine request token. */
  record Started(TestBrowser browser, String token, String binding) {}

  static Started started(TestBrowser browser) {
    TestBrowser.Response r = browser.navigate(f.url("dash", "/start-here"));
    assertThat(r.status()).isEqualTo(302);
    String token = URLDecoder.decode(r.location().substring(r.location().indexOf("request=") + 8),
        StandardCharsets.UTF_8);
    return new Started(browser, token, browser.cookie(f.authority("dash"), "portcullis-signin").orElseThrow());
  }

  static String signed(byte[] with, Clock clock, String host, String returnUrl, String bindingHash) {
    return new SignInRequests(with, clock).sign(new SignInRequests.Request(host, returnUrl, bindingHash));
  }

  static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  static String payload(String token) {
    return new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
  }

  /** Ways to forge a request from a genuine one, each without the key or with it misused. */
  static Stream<Arguments> forgeries() {
    return Stream.<Map.Entry<String, Function<Started, String>>>of(
        Map.entry("payload changed, signature kept", s -> {
          String[] p = s.token().split("\\.");
          String changed = payload(s.token()).replace("/start-here", "/elsewhere");
          return p[0] + "." + b64(changed) + "." + p[2];
        }),
        Map.entry("alg none, no signature", s -> {
          try {
            return new PlainJWT(JWTClaimsSet.parse(payload(s.token()))).serialize();
          } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
          }
        }),
        Map.entry("alg none header, genuine signature", s -> {
          String[] p = s.token().split("\\.");
          return b64("{\"alg\":\"none\"}") + "." + p[1] + "." + p[2];
        }),
        Map.entry("alg HS512 header, genuine signature", s -> {
          String[] p = s.token().split("\\.");
          return b64("{\"alg\":\"HS512\"}") + "." + p[1] + "." + p[2];
        }),
        Map.entry("signature truncated", s -> s.token().substring(0, s.token().length() - 4)),
        Map.entry("signature removed", s -> s.token().substring(0, s.token().lastIndexOf('.') + 1)),
        Map.entry("signed with another key", s -> {
          byte[] other = new byte[32];
          new SecureRandom().nextBytes(other);
          return signed(other, Clock.systemUTC(), "dash.localhost", f.url("dash", "/start-here"),
              Tokens.hash(s.binding()));
        }),
        Map.entry("expired", s -> signed(key, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-16)),
            "dash.localhost", f.url("dash", "/start-here"), Tokens.hash(s.binding()))),
        Map.entry("no binding claim", s -> {
          try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                .claim("h", "dash.localhost").claim("u", f.url("dash", "/"))
                .expirationTime(new Date(System.currentTimeMillis() + 60_000)).build());
            jwt.sign(new MACSigner(key));
            return jwt.serialize();
          } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
          }
        }),
        Map.entry("empty", s -> ""),
        Map.entry("garbage", s -> "not.a.jwt"),
        Map.entry("huge", s -> s.token() + "A".repeat(5000)))
        .map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forgeries")
  void signInPage_refusesForgedRequest(String name, Function<Started, String> forge) {
    TestBrowser browser = f.browser();
    Started s = started(browser);

    TestBrowser.Response r = browser.navigate(f.authUrl("/_portcullis/signin?request="
        + URLEncoder.encode(forge.apply(s), StandardCharsets.UTF_8)));

    assertRefused(r);
    assertThat(r.sets("portcullis-csrf")).as("no form was shown").isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forgeries")
  void signInPage_refusesForgedRequestEvenWithACentralSession(String name, Function<Started, String> forge) {
    TestBrowser browser = f.browser();
    f.signedIn(browser, f.url("wiki", "/"), f.newAccount());
    Started s = started(browser);

    assertRefused(browser.navigate(f.authUrl("/_portcullis/signin?request="
        + URLEncoder.encode(forge.apply(s), StandardCharsets.UTF_8))));
  }

  @Test
  void password_refusesForgedRequestAndCreatesNoSession() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    Started s = started(browser);
    TestBrowser.Response form = browser.follow(browser.navigate(f.url("dash", "/start-here")));
    String forged = signed(new byte[32], Clock.systemUTC(), "dash.localhost", "https://evil.test/",
        Tokens.hash(s.binding()));

    TestBrowser.Response r = browser.submit(f.authUrl("/_portcullis/signin/password"), Map.of(
        "email", email, "password", SignInFixture.PASSWORD, "request", forged,
        "csrf", form.formField("csrf").orElseThrow()));

    assertRefused(r);
    assertThat(r.sets("portcullis")).isFalse();
    assertThat(f.sessionsOf(email)).isEmpty();
  }

  /** Return URLs a signed request may never carry: each leaves the service that started the flow. */
  static List<String> foreignReturnUrls() {
    String port = String.valueOf(f.portcullis().port());
    return List.of(
        "//evil.test",
        "//evil.test/",
        "/\\evil.test",
        "https://evil.test",
        "https://evil.test/",
        "%2F%2Fevil.test",
        "http://dash.localhost:" + port + "@evil.test/",
        "http://dash.localhost:" + port + "\\@evil.test/",
        "http://evil.test\\@dash.localhost:" + port + "/",
        "http://evil.test#@dash.localhost:" + port + "/",
        "http://user@dash.localhost:" + port + "/",
        "http://dash.localhost.evil.test:" + port + "/",
        "http://wiki.localhost:" + port + "/",
        "http://auth.localhost:" + port + "/",
        "javascript:alert(document.cookie)//dash.localhost",
        "ftp://dash.localhost:" + port + "/",
        "http:/\\dash.localhost:" + port + "/",
        "http://dash.localhost:" + port + "/\r\nLocation: https://evil.test/",
        "");
  }

  @Test
  void signedRequest_withOwnReturnUrlIsAccepted() {
    // The control for the cases below: the same construction with the service's own URL works.
    TestBrowser browser = f.browser();
    f.signedIn(browser, f.url("wiki", "/"), f.newAccount());
    Started s = started(browser);
    String token = signed(key, Clock.systemUTC(), "dash.localhost", f.url("dash", "/ok?x=1"), Tokens.hash(s.binding()));

    TestBrowser.Response r = browser.navigate(f.authUrl("/_portcullis/signin?request="
        + URLEncoder.encode(token, StandardCharsets.UTF_8)));
    assertThat(r.status()).isEqualTo(302);
    assertThat(r.location()).startsWith(f.url("dash", "/_portcullis/callback?code="));
    assertThat(browser.follow(r).location()).isEqualTo(f.url("dash", "/ok?x=1"));
  }

  @ParameterizedTest
  @MethodSource("foreignReturnUrls")
  void signedRequest_withForeignReturnUrlIsRefused(String returnUrl) {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    Started s = started(browser);
    String token = signed(key, Clock.systemUTC(), "dash.localhost", returnUrl, Tokens.hash(s.binding()));
    String signInPage = f.authUrl("/_portcullis/signin?request=" + URLEncoder.encode(token, StandardCharsets.UTF_8));

    // Without a session: no form, and the password post is refused too.
    assertRefused(browser.navigate(signInPage));
    TestBrowser.Response form = browser.follow(browser.navigate(f.url("dash", "/")));
    TestBrowser.Response posted = browser.submit(f.authUrl("/_portcullis/signin/password"), Map.of(
        "email", email, "password", SignInFixture.PASSWORD, "request", token,
        "csrf", form.formField("csrf").orElseThrow()));
    assertRefused(posted);
    assertThat(f.sessionsOf(email)).isEmpty();
    // With a central session: no hand-back either.
    f.signedIn(browser, f.url("wiki", "/"), email);
    assertRefused(browser.navigate(signInPage));
  }

  @Test
  void signedRequest_forAServiceWithoutIapIsRefused() {
    TestBrowser browser = f.browser();
    f.signedIn(browser, f.url("wiki", "/"), f.newAccount());
    Started s = started(browser);

    for (String host : List.of("open", "nothing-here")) {
      String token = signed(key, Clock.systemUTC(), host + ".localhost", f.url(host, "/"), Tokens.hash(s.binding()));
      assertRefused(browser.navigate(f.authUrl("/_portcullis/signin?request="
          + URLEncoder.encode(token, StandardCharsets.UTF_8))));
    }
  }

  @Test
  void signInPage_refusesMalformedQuery() {
    TestBrowser browser = f.browser();
    assertRefused(browser.navigate(f.authUrl("/_portcullis/signin?request=%zz")));
    assertRefused(browser.navigate(f.authUrl("/_portcullis/signin")));
  }

  private static void assertRefused(TestBrowser.Response r) {
    // 414 is the listener refusing a request line too long to read, before Portcullis sees it.
    assertThat(r.status()).as(r.body()).isIn(400, 414);
    assertThat(r.location()).isNull();
    assertThat(r.sets("portcullis")).isFalse();
  }
}
