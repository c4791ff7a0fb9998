package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.testing.SignInFixture;
import dev.portcullis.testing.TestBrowser;
import io.vertx.core.http.HttpMethod;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Wherever a sign-in starts on a service host, it ends on that same host: {@code /_portcullis/start?rd=}
 * takes only a local path, and whatever request target started it, the browser comes back to this origin.
 */
class OpenRedirectTest {
  @TempDir static Path dir;
  static SignInFixture f;
  static TestBrowser signedIn;

  @BeforeAll
  static void start() throws Exception {
    f = SignInFixture.start(dir, Map.of());
    signedIn = f.browser();
    f.signedIn(signedIn, f.url("wiki", "/"), f.newAccount());
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  /** Follows a sign-in that starts with {@code start} through the central session; returns where it ends. */
  private static String endOf(TestBrowser.Response start) throws Exception {
    assertThat(start.status()).as(start.body()).isEqualTo(302);
    assertThat(start.location()).startsWith(f.authUrl("/_portcullis/signin?request="));
    String token = URLDecoder.decode(start.location().substring(start.location().indexOf("request=") + 8),
        StandardCharsets.UTF_8);
    String returnUrl = SignedJWT.parse(token).getJWTClaimsSet().getStringClaim("u");
    assertThat(returnUrl).as("return URL signed into the request").startsWith(f.url("dash", "/"));
    TestBrowser.Response handBack = signedIn.follow(start);
    assertThat(handBack.status()).isEqualTo(302);
    assertThat(handBack.location()).startsWith(f.url("dash", "/_portcullis/callback?code="));
    TestBrowser.Response callback = signedIn.follow(handBack);
    assertThat(callback.status()).isEqualTo(302);
    assertThat(callback.location()).isEqualTo(returnUrl);
    signedIn.removeCookie(f.authority("dash"), "portcullis");
    return callback.location();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "//evil.test", "//evil.test/path", "/\\evil.test", "/%5Cevil.test", "%5C%5Cevil.test", "https://evil.test",
      "https:%2F%2Fevil.test", "%2F%2Fevil.test", "%2f%2fevil.test", "%252F%252Fevil.test", "/%2F/evil.test",
      "%2F%5Cevil.test", "http://dash.localhost@evil.test/", "//dash.localhost@evil.test", "%20//evil.test",
      "/%09/evil.test", "/%0d%0aLocation:%20https://evil.test", "javascript:alert(1)", "evil.test", "%00//evil.test",
      "%zz", ""})
  void start_acceptsOnlyLocalPaths(String rd) throws Exception {
    String end = endOf(signedIn.raw(HttpMethod.GET, f.authority("dash"), "/_portcullis/start?rd=" + rd,
        Map.of("accept", TestBrowser.NAVIGATION_ACCEPT), null));

    assertThat(end).isEqualTo(f.url("dash", "/"));
  }

  @Test
  void start_keepsALocalPathAndQueryExactly() throws Exception {
    String end = endOf(signedIn.raw(HttpMethod.GET, f.authority("dash"),
        "/_portcullis/start?rd=%2Freports%2Fq1%3Fa%3D1%26b%3D%252F", Map.of(), null));

    assertThat(end).isEqualTo(f.url("dash", "/reports/q1?a=1&b=%2F"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"//evil.test", "//evil.test/x?y=1", "/%2F%2Fevil.test", "/.//evil.test"})
  void navigation_toAnOddPathComesBackToTheSameHost(String target) throws Exception {
    String end = endOf(signedIn.raw(HttpMethod.GET, f.authority("dash"), target,
        Map.of("accept", TestBrowser.NAVIGATION_ACCEPT, "sec-fetch-mode", "navigate"), null));

    assertThat(end).isEqualTo(f.url("dash", target));
  }

  @Test
  void signOut_alwaysEndsOnTheSignInHost() {
    TestBrowser browser = f.browser();
    TestBrowser.Response r = browser.raw(HttpMethod.GET, f.authority("dash"),
        "/_portcullis/sign_out?rd=https://evil.test&redirect=https://evil.test&continue=//evil.test",
        Map.of("accept", TestBrowser.NAVIGATION_ACCEPT), null);

    assertThat(r.status()).isEqualTo(302);
    assertThat(r.location()).isEqualTo(f.authUrl("/_portcullis/sign_out"));
  }
}
