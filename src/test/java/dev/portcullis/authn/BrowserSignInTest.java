package dev.portcullis.authn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Browser;
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

/** A real browser signs in with a built-in account and reaches the demo service behind IAP. */
class BrowserSignInTest {
  @TempDir Path dir;

  @Test
  void builtInAccount_signsInInChromiumAndReachesTheDemo() throws Exception {
    try (TestPortcullis p = TestPortcullis.start(dir.resolve("data"), Map.of("demo.enabled", "true"));
         Browser browser = new Browser(Files.createDirectories(dir.resolve("profile")))) {
      assertThat(p.admin("PATCH", "/v1/services/hello", new JsonObject().put("iap", true)).status()).isEqualTo(200);
      String password = p.portcullis().bootstrapPassword().orElseThrow();
      WebDriver web = browser.driver();
      String app = "http://hello.localhost:" + p.port() + "/welcome?from=browser";

      web.get(app);
      new WebDriverWait(web, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().startsWith(
          "http://auth.localhost:" + p.port() + "/_portcullis/signin"));
      assertThat(web.getTitle()).contains("Sign in");
      assertThat(web.findElement(By.tagName("body")).getText()).contains("to continue to hello");
      browser.screenshot("signin");

      web.findElement(By.id("email")).sendKeys("admin@localhost");
      web.findElement(By.id("password")).sendKeys(password);
      web.findElement(By.id("submit")).click();

      new WebDriverWait(web, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().equals(app));
      // Signed in, but nobody has been granted access yet: IAM's 403 page says who is signed in.
      String denied = web.findElement(By.tagName("body")).getText();
      assertThat(denied).contains("You don't have access").contains("admin@localhost").contains("hello")
          .doesNotContain("Hello from behind Portcullis");
      browser.screenshot("access-denied");

      p.grant("projects/default", "roles/iap.httpsResourceAccessor", "user:admin@localhost");
      web.navigate().refresh();
      String page = web.findElement(By.tagName("body")).getText();
      assertThat(page).contains("Hello from behind Portcullis").contains("/welcome?from=browser");
      // The app saw the request without Portcullis's own cookies.
      assertThat(page).doesNotContain("portcullis=");
      assertThat(web.manage().getCookieNamed("portcullis")).isNotNull();
      browser.screenshot("hello-signed-in");
    }
  }
}
