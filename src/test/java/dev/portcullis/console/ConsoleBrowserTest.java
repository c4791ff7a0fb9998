package dev.portcullis.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Browser;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in headless Chromium against a real Portcullis: an administrator grants a group access to
 * a new service and takes a member out of it again; a viewer can look but not change anything.
 * Screenshots of the pages go to target/screenshots/console-*.png.
 */
class ConsoleBrowserTest {
  static final String PASSWORD = "correct horse battery staple";
  static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir static Path dir;
  static Browser browser;
  static Upstreams upstreams;
  static String upstream;

  @BeforeAll
  static void start() throws Exception {
    browser = new Browser(Files.createDirectories(dir.resolve("profile")));
    upstreams = new Upstreams();
    upstream = upstreams.http(req -> req.response().putHeader("content-type", "text/plain")
        .end("the dash app, for " + req.getHeader("x-forwarded-host")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (upstreams != null) {
      upstreams.close();
    }
  }

  private static WebDriver web() {
    return browser.driver();
  }

  private static WebElement await(By by) {
    return new WebDriverWait(web(), WAIT).until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  private static void awaitText(By by, String text) {
    new WebDriverWait(web(), WAIT).until(ExpectedConditions.textToBePresentInElementLocated(by, text));
  }

  private static void type(String id, String text) {
    WebElement e = await(By.id(id));
    e.clear();
    e.sendKeys(text);
  }

  private static void signInToConsole(TestPortcullis p, String email, String password) {
    web().get(ConsoleSignIn.consoleUrl(p, "/services"));
    new WebDriverWait(web(), WAIT).until(d -> d.getCurrentUrl().startsWith(ConsoleSignIn.authUrl(p,
        "/_portcullis/signin")));
    assertThat(web().findElement(By.tagName("body")).getText()).contains("to continue to the Portcullis console");
    try {
      browser.screenshot("console-signin");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    type("email", email);
    type("password", password);
    web().findElement(By.id("submit")).click();
    new WebDriverWait(web(), WAIT).until(d -> d.getCurrentUrl().equals(ConsoleSignIn.consoleUrl(p, "/services")));
  }

  @Test
  void administrator_grantsAGroup_thenRemovesAMember_whoIsRefusedOnTheNextRequest() throws Exception {
    try (TestPortcullis p = TestPortcullis.start(dir.resolve("admin-data"), Map.of())) {
      p.portcullis().accounts().orElseThrow().create("ana@example.com", Optional.empty(), PASSWORD);
      signInToConsole(p, p.portcullis().settings().adminEmail(), p.portcullis().bootstrapPassword().orElseThrow());
      await(By.id("create-service"));
      browser.screenshot("console-services-empty");

      // A service, created in the console; IAP is on by default.
      type("new-name", "dash");
      type("new-upstream", upstream);
      web().findElement(By.id("create-service")).click();
      awaitText(By.id("status"), "Created service dash");
      WebElement iap = await(By.id("iap-dash"));
      assertThat(iap.getAttribute("aria-checked")).isEqualTo("true");
      assertThat(p.admin("GET", "/v1/services/dash", null).body().getString("upstream")).isEqualTo(upstream);

      // A group with Ana in it, made in the console; the member form is sent with the keyboard.
      web().get(ConsoleSignIn.consoleUrl(p, "/groups"));
      type("group-email", "qa@example.com");
      web().findElement(By.id("create-group")).click();
      await(By.linkText("qa@example.com")).click();
      type("member", "ana@example.com");
      web().findElement(By.id("member")).sendKeys(Keys.ENTER);
      await(By.cssSelector("tr[data-member='user:ana@example.com']"));
      browser.screenshot("console-group");

      // Permissions on the service: a condition that does not compile is refused where it was typed.
      web().get(ConsoleSignIn.consoleUrl(p, "/iam?resource=projects/default/services/dash"));
      type("grant-members", "qa@example.com");
      type("grant-condition-title", "office hours");
      type("grant-condition", "request.tiem.getHours() < 18");
      web().findElement(By.id("grant")).click();
      awaitText(By.id("grant-condition-error"), "line 1");
      assertThat(web().findElement(By.id("grant-condition")).getAttribute("aria-invalid")).isEqualTo("true");
      assertThat(p.admin("POST", "/v1/projects/default/services/dash:getIamPolicy", new JsonObject()).body()
          .getJsonArray("bindings", new io.vertx.core.json.JsonArray())).isEmpty();
      browser.screenshot("console-permissions-condition-error");

      // Without the condition the group gets the accessor role; the organization's admin grant shows as inherited.
      web().findElement(By.id("grant-condition")).clear();
      web().findElement(By.id("grant-condition-title")).clear();
      web().findElement(By.id("grant")).click();
      WebElement granted = await(By.cssSelector(
          "tr[data-member='group:qa@example.com'][data-role='roles/iap.httpsResourceAccessor']"));
      assertThat(granted.getText()).contains("This resource");
      WebElement inherited = await(By.cssSelector("tr[data-member='user:" + p.portcullis().settings().adminEmail()
          + "'][data-role='roles/portcullis.admin']"));
      assertThat(inherited.getText()).contains("Inherited from organization");
      browser.screenshot("console-permissions");

      // A member of the group reaches the app.
      TestBrowser ana = new TestBrowser();
      String app = "http://" + p.hostOf("dash") + "/reports";
      TestBrowser.Response reached = signInToApp(p, ana, app, "ana@example.com");
      assertThat(reached.status()).isEqualTo(200);
      assertThat(reached.body()).contains("the dash app");

      // Someone else changes the policy meanwhile: the console says so plainly and offers a reload.
      p.grant("projects/default/services/dash", "roles/iap.httpsResourceAccessor", "user:bo@example.com");
      web().findElement(By.cssSelector("tr[data-member='group:qa@example.com'] button")).click();
      awaitText(By.cssSelector(".conflict"), "Someone else changed this");
      web().findElement(By.id("reload")).click();
      await(By.cssSelector("tr[data-member='user:bo@example.com']"));
      assertThat(web().findElements(By.cssSelector("tr[data-member='group:qa@example.com']"))).hasSize(1);

      // The administrator takes Ana out of the group in the console.
      web().get(ConsoleSignIn.consoleUrl(p, "/groups/qa@example.com"));
      await(By.cssSelector("button[aria-label='Remove user:ana@example.com']")).click();
      awaitText(By.id("status"), "Removed user:ana@example.com");
      assertThat(web().findElements(By.cssSelector("tr[data-member='user:ana@example.com']"))).isEmpty();

      // Her very next request is refused.
      TestBrowser.Response refused = ana.navigate(app);
      assertThat(refused.status()).isEqualTo(403);
      assertThat(refused.body()).contains("ana@example.com");

      // The audit page shows both: the removal and the refusal.
      web().get(ConsoleSignIn.consoleUrl(p, "/audit"));
      WebElement removal = await(By.cssSelector("tr[data-action='group.member.remove']"));
      assertThat(removal.getText()).contains("qa@example.com").contains(p.portcullis().settings().adminEmail());
      WebElement denial = await(By.cssSelector("tr.event.deny"));
      assertThat(denial.getText()).contains("ana@example.com").contains("dash");
      browser.screenshot("console-audit");

      // Live tail: a new refusal appears on top without reloading the page.
      int before = web().findElements(By.cssSelector("tr.event.deny")).size();
      web().findElement(By.id("tail")).click();
      assertThat(ana.navigate("http://" + p.hostOf("dash") + "/again").status()).isEqualTo(403);
      new WebDriverWait(web(), WAIT).until(d -> d.findElements(By.cssSelector("tr.event.deny")).size() > before);
      assertThat(web().findElement(By.cssSelector("#events tr")).getText()).contains("/again");

      // Readable on a phone: no sideways scrolling.
      web().manage().window().setSize(new Dimension(390, 844));
      web().get(ConsoleSignIn.consoleUrl(p, "/services"));
      await(By.id("iap-dash"));
      Object wide = ((JavascriptExecutor) web()).executeScript(
          "return document.documentElement.scrollWidth > window.innerWidth + 1");
      browser.screenshot("console-services-phone");
      assertThat(wide).isEqualTo(false);
      web().manage().window().setSize(new Dimension(1200, 900));
    }
  }

  @Test
  void viewer_seesEverything_andCannotChangeAnything() throws Exception {
    try (TestPortcullis p = TestPortcullis.start(dir.resolve("viewer-data"), Map.of())) {
      p.portcullis().accounts().orElseThrow().create("vic@example.com", Optional.empty(), PASSWORD);
      p.grant("organization", "roles/portcullis.viewer", "user:vic@example.com");
      p.createService("dash", upstream, new JsonObject().put("iap", true));
      p.portcullis().accounts().orElseThrow().create("nobody@example.com", Optional.empty(), PASSWORD);

      // Someone without an administrator role gets the 403 page, with a way to switch accounts.
      signInToConsole(p, "nobody@example.com", PASSWORD);
      assertThat(web().findElement(By.tagName("body")).getText()).contains("You don't have access")
          .contains("nobody@example.com").contains("roles/portcullis.viewer");
      browser.screenshot("console-denied");
      web().findElement(By.linkText("Sign in with another account")).click();
      awaitText(By.tagName("body"), "signed out");

      signInToConsole(p, "vic@example.com", PASSWORD);

      WebElement iap = await(By.id("iap-dash"));
      assertThat(iap.isEnabled()).isFalse();
      assertThat(web().findElement(By.id("read-only")).getText()).isEqualTo("read-only");
      assertThat(web().findElements(By.id("create-service"))).isEmpty();
      browser.screenshot("console-viewer-services");

      web().get(ConsoleSignIn.consoleUrl(p, "/iam?resource=organization"));
      await(By.cssSelector("tr[data-role='roles/portcullis.viewer']"));
      assertThat(web().findElements(By.id("grant"))).isEmpty();
      assertThat(web().findElements(By.cssSelector("#principals button"))).isEmpty();

      // Not only hidden: the API on the console host refuses the viewer's write itself.
      Object answer = ((JavascriptExecutor) web()).executeAsyncScript(
          "const done = arguments[arguments.length - 1];"
              + "const csrf = document.querySelector('meta[name=\"portcullis-csrf\"]').content;"
              + "fetch('/v1/services/dash', {method: 'PATCH', headers: {'content-type': 'application/json',"
              + " 'x-portcullis-csrf': csrf}, body: JSON.stringify({iap: false})})"
              + ".then(r => r.text().then(t => done(r.status + ' ' + t)));");
      assertThat(String.valueOf(answer)).startsWith("403").contains("PERMISSION_DENIED");
      assertThat(p.admin("GET", "/v1/services/dash", null).body().getBoolean("iap")).isTrue();
    }
  }

  @Test
  void administrator_managesSettingsAccountsKeysAndSessions_andAsksTheTroubleshooter() throws Exception {
    try (TestPortcullis p = TestPortcullis.start(dir.resolve("pages-data"), Map.of())) {
      p.createService("wiki", upstream, new JsonObject().put("iap", true));
      p.grant("projects/default", "roles/iap.httpsResourceAccessor", "domain:example.com");
      signInToConsole(p, p.portcullis().settings().adminEmail(), p.portcullis().bootstrapPassword().orElseThrow());

      // The service's settings: denied message, re-authentication age, CORS preflights, IAP-compatible headers.
      web().get(ConsoleSignIn.consoleUrl(p, "/services/wiki"));
      type("svc-reauth", "an hour");
      web().findElement(By.id("save-service")).click();
      awaitText(By.id("svc-reauth-error"), "not a duration");
      type("svc-reauth", "1h");
      type("svc-denied-message", "Ask #wiki-admins for access.");
      web().findElement(By.id("svc-preflight")).click();
      web().findElement(By.id("svc-iapcompat")).click();
      web().findElement(By.id("save-service")).click();
      awaitText(By.id("status"), "Saved wiki");
      JsonObject wiki = p.admin("GET", "/v1/services/wiki", null).body();
      assertThat(wiki.getString("reauthMaxAge")).isEqualTo("3600s");
      assertThat(wiki.getString("accessDeniedMessage")).isEqualTo("Ask #wiki-admins for access.");
      assertThat(wiki.getBoolean("allowHttpOptions")).isTrue();
      assertThat(wiki.getBoolean("iapCompatible")).isTrue();
      browser.screenshot("console-service-settings");

      // A built-in account with a generated password, shown once; then disabled.
      web().get(ConsoleSignIn.consoleUrl(p, "/users"));
      type("user-email", "cy@example.com");
      web().findElement(By.id("create-user")).click();
      awaitText(By.id("status"), "Created cy@example.com");
      assertThat(await(By.id("secret")).getAttribute("value")).hasSizeGreaterThanOrEqualTo(20);
      browser.screenshot("console-users");
      await(By.cssSelector("button[aria-label='Disable cy@example.com']")).click();
      awaitText(By.id("status"), "Disabled cy@example.com");
      assertThat(p.admin("GET", "/v1/users", null).body().getJsonArray("users").stream()
          .map(JsonObject.class::cast).filter(u -> u.getString("email").equals("cy@example.com"))
          .map(u -> u.getBoolean("disabled")).toList()).containsExactly(true);

      // A service account and a key for it: the key file is shown once.
      web().get(ConsoleSignIn.consoleUrl(p, "/service-accounts"));
      type("sa-id", "ci-deploy");
      web().findElement(By.id("create-sa")).click();
      awaitText(By.id("status"), "Created ci-deploy@default.iam.portcullis.internal");
      await(By.cssSelector("button[aria-label='Keys of ci-deploy@default.iam.portcullis.internal']")).click();
      await(By.id("create-key")).click();
      new WebDriverWait(web(), WAIT).until(d -> d.findElement(By.id("secret")).getAttribute("value")
          .contains("private_key"));
      assertThat(p.admin("GET", "/v1/serviceAccounts/ci-deploy@default.iam.portcullis.internal/keys", null)
          .body().getJsonArray("keys")).hasSize(1);
      browser.screenshot("console-service-accounts");
      await(By.cssSelector("button[aria-label='Delete ci-deploy@default.iam.portcullis.internal']")).click();
      web().switchTo().alert().accept();
      awaitText(By.id("status"), "Deleted ci-deploy@default.iam.portcullis.internal");
      assertThat(p.admin("GET", "/v1/serviceAccounts/ci-deploy@default.iam.portcullis.internal", null).status())
          .isEqualTo(404);

      // Sessions: the administrator's own sign-in is listed; revoking another one ends it.
      p.portcullis().accounts().orElseThrow().create("dee@example.com", Optional.empty(), PASSWORD);
      TestBrowser dee = new TestBrowser();
      String app = "http://" + p.hostOf("wiki") + "/";
      assertThat(signInToApp(p, dee, app, "dee@example.com").status()).isEqualTo(200);
      web().get(ConsoleSignIn.consoleUrl(p, "/sessions?user=dee@example.com"));
      await(By.cssSelector("button[aria-label='Revoke the sign-in of dee@example.com on wiki.localhost']")).click();
      awaitText(By.id("status"), "Revoked");
      assertThat(dee.navigate(app).status()).as("dee's session ended").isEqualTo(302);
      browser.screenshot("console-sessions");

      // The troubleshooter explains a decision.
      web().get(ConsoleSignIn.consoleUrl(p, "/troubleshoot"));
      type("ts-member", "eve@example.com");
      type("ts-url", app + "page");
      web().findElement(By.id("explain")).click();
      awaitText(By.id("verdict"), "Allowed");
      assertThat(web().findElement(By.id("explanation")).getText()).contains("domain:example.com")
          .contains("roles/iap.httpsResourceAccessor");
      browser.screenshot("console-troubleshooter");

      web().get(ConsoleSignIn.consoleUrl(p, "/audit?kind=admin"));
      await(By.cssSelector("tr[data-kind='admin']"));
      browser.screenshot("console-audit-admin");
    }
  }

  /** Ana signs in to the app with the scripted browser (the one Chromium is the administrator's). */
  private static TestBrowser.Response signInToApp(TestPortcullis p, TestBrowser b, String url, String email) {
    TestBrowser.Response start = b.navigate(url);
    assertThat(start.status()).isEqualTo(302);
    TestBrowser.Response form = b.follow(start);
    TestBrowser.Response posted = b.submit(ConsoleSignIn.authUrl(p, "/_portcullis/signin/password"), Map.of(
        "email", email, "password", PASSWORD,
        "request", form.formField("request").orElseThrow(), "csrf", form.formField("csrf").orElseThrow()));
    assertThat(posted.status()).as(posted.body()).isEqualTo(302);
    return b.followAll(b.follow(posted));
  }

}
