package dev.portcullis.authn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Browser;
import dev.portcullis.testing.TestIdp;
import dev.portcullis.testing.TestPortcullis;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real browser signs in through a real OpenID Connect provider (in-process) and reaches the demo behind
 * IAP, then signs out everywhere.
 */
class BrowserOidcSignInTest {
  @TempDir Path dir;

  @Test
  void oidcProvider_signsInInChromiumReachesTheAppAndSignsOut() throws Exception {
    Path secret = Files.writeString(dir.resolve("client-secret"), "s3cret-of-the-test-client\n");
    try (TestIdp idp = TestIdp.start();
         TestPortcullis p = TestPortcullis.start(dir.resolve("data"), Map.of(
             "demo.enabled", "true",
             "auth.local.enabled", "false",
             "oidc.corp.issuer", idp.issuer().toString(),
             "oidc.corp.client_id", "portcullis",
             "oidc.corp.client_secret_file", secret.toString(),
             "oidc.corp.display_name", "Corp SSO"));
         Browser browser = new Browser(Files.createDirectories(dir.resolve("profile")))) {
      assertThat(p.admin("PATCH", "/v1/services/hello", new JsonObject().put("iap", true)).status()).isEqualTo(200);
      p.grant("projects/default", "roles/iap.httpsResourceAccessor", "domain:example.com");
      idp.nextUser("ana-123", Map.of("email", "Ana@Example.com", "email_verified", true, "name", "Ana"));
      WebDriver web = browser.driver();
      String app = "http://hello.localhost:" + p.port() + "/reports?week=47";

      // One provider and no built-in accounts: no chooser, straight to the provider and back.
      web.get(app);
      new WebDriverWait(web, Duration.ofSeconds(30)).until(d -> d.getCurrentUrl().equals(app));
      String page = web.findElement(By.tagName("body")).getText();
      assertThat(page).contains("Hello from behind Portcullis").contains("/reports?week=47");
      browser.screenshot("oidc-signed-in");

      web.get("http://hello.localhost:" + p.port() + "/_portcullis/identity");
      JsonObject identity = new JsonObject(web.findElement(By.tagName("body")).getText());
      assertThat(identity.getString("email")).isEqualTo("ana@example.com");
      assertThat(identity.getString("subject")).isEqualTo("corp:ana-123");
      assertThat(identity.getString("provider")).isEqualTo("corp");

      web.get("http://hello.localhost:" + p.port() + "/_portcullis/sign_out");
      new WebDriverWait(web, Duration.ofSeconds(20)).until(d -> d.findElement(By.tagName("body")).getText()
          .contains("signed out"));
      assertThat(p.portcullis().sessions().list(java.util.Optional.of("ana@example.com"))).isEmpty();
    }
  }
}
