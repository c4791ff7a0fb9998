package dev.portcullis.authn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.iam.PredefinedRoles;
import dev.portcullis.testing.SignInFixture;
import dev.portcullis.testing.TestBrowser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** A signed-in person gets an admin API token on the sign-in host, and the admin API applies their roles. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiTokenTest {
  SignInFixture f;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    f = SignInFixture.start(dir, Map.of());
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  int adminGet(String token, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(f.portcullis().adminUrl() + path))
        .header("authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  /** Signs in on the sign-in host itself and creates a token; returns it. */
  String token(TestBrowser b, String email) {
    TestBrowser.Response start = b.navigate(f.authUrl("/_portcullis/api_token"));
    assertThat(start.status()).isEqualTo(302);
    assertThat(start.location()).startsWith(f.authUrl("/_portcullis/signin?request="));
    TestBrowser.Response form = b.follow(start);
    assertThat(form.body()).contains("the Portcullis admin API");
    TestBrowser.Response posted = b.submit(f.authUrl("/_portcullis/signin/password"), Map.of(
        "email", email, "password", SignInFixture.PASSWORD,
        "request", form.formField("request").orElseThrow(), "csrf", form.formField("csrf").orElseThrow()));
    assertThat(posted.status()).as(posted.body()).isEqualTo(302);
    assertThat(posted.location()).isEqualTo(f.authUrl("/_portcullis/api_token"));
    TestBrowser.Response page = b.follow(posted);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains(email).contains("Create a token");
    TestBrowser.Response created = b.submit(f.authUrl("/_portcullis/api_token"),
        Map.of("csrf", page.formField("csrf").orElseThrow()));
    assertThat(created.status()).isEqualTo(200);
    assertThat(created.headers().get("cache-control")).isEqualTo("no-store");
    return created.formField("token").orElseThrow();
  }

  @Test
  void aPersonsToken_carriesTheirRoles_andEndsWithTheirSignIn() throws Exception {
    String viewerEmail = f.newAccount();
    String otherEmail = f.newAccount();
    f.portcullis().grant("organization", PredefinedRoles.VIEWER, "user:" + viewerEmail);
    TestBrowser viewerBrowser = f.browser();
    String viewer = token(viewerBrowser, viewerEmail);
    String other = token(f.browser(), otherEmail);

    assertThat(adminGet(viewer, "/v1/services")).isEqualTo(200);
    assertThat(adminGet(other, "/v1/services")).isEqualTo(403);

    // Signing out everywhere ends the token too.
    viewerBrowser.navigate(f.authUrl("/_portcullis/sign_out"));
    assertThat(adminGet(viewer, "/v1/services")).isEqualTo(401);
  }

  @Test
  void creatingATokenWithoutTheFormsCsrf_isRefused() {
    TestBrowser b = f.browser();
    String email = f.newAccount();
    token(b, email);
    TestBrowser.Response forged = b.submit(f.authUrl("/_portcullis/api_token"), Map.of("csrf", "guessed"));
    assertThat(forged.status()).isEqualTo(403);
    assertThat(forged.body()).doesNotContain("shown this once");
  }

  @Test
  void aServiceHostSessionIsNotAnApiToken() throws Exception {
    TestBrowser b = f.browser();
    String email = f.newAccount();
    f.portcullis().grant("organization", PredefinedRoles.ADMIN, "user:" + email);
    f.signedIn(b, f.url("dash", "/"), email);
    String hostCookie = b.cookie(f.authority("dash"), "portcullis").orElseThrow();
    assertThat(adminGet(hostCookie, "/v1/services")).isEqualTo(401);
    String central = b.cookie(f.authAuthority(), "portcullis").orElseThrow();
    assertThat(adminGet(central, "/v1/services")).isEqualTo(401);
  }
}
