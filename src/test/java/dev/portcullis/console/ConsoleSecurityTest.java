package dev.portcullis.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.TestBrowser;
import dev.portcullis.testing.TestPortcullis;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who gets into the console and how its API is guarded: sign-in through Portcullis, the 403 page for
 * people without an admin role, the CSRF checks, and a viewer's writes refused by the API itself.
 */
class ConsoleSecurityTest {
  static final String PASSWORD = "correct horse battery staple";
  @TempDir static Path dir;
  static TestPortcullis p;

  @BeforeAll
  static void start() throws Exception {
    p = TestPortcullis.start(dir.resolve("data"), Map.of());
    p.portcullis().accounts().orElseThrow().create("viewer@example.com", Optional.empty(), PASSWORD);
    p.portcullis().accounts().orElseThrow().create("ana@example.com", Optional.empty(), PASSWORD);
    p.grant("organization", "roles/portcullis.viewer", "user:viewer@example.com");
    p.createService("dash", "http://127.0.0.1:9", new JsonObject().put("iap", true));
  }

  @AfterAll
  static void stop() {
    p.close();
  }

  private static String admin() {
    return p.portcullis().settings().adminEmail();
  }

  private static TestBrowser.Response api(TestBrowser b, HttpMethod method, String path, String body,
      Map<String, String> headers) {
    Map<String, String> h = new HashMap<>(headers);
    h.put("accept", "application/json");
    if (body != null) {
      h.put("content-type", "application/json");
    }
    return b.send(method, ConsoleSignIn.consoleUrl(p, path), h, body);
  }

  private static Map<String, String> sameOrigin(String csrf) {
    return Map.of("x-portcullis-csrf", csrf, "origin", ConsoleSignIn.consoleUrl(p, ""),
        "sec-fetch-site", "same-origin");
  }

  @Test
  void withoutSession_navigationGoesToSignIn_andTheApiAnswers401() {
    TestBrowser b = new TestBrowser();
    TestBrowser.Response page = b.navigate(ConsoleSignIn.consoleUrl(p, "/services"));
    assertThat(page.status()).isEqualTo(302);
    assertThat(page.location()).isEqualTo(ConsoleSignIn.consoleUrl(p, "/_portcullis/start?rd=%2Fservices"));
    TestBrowser.Response call = api(b, HttpMethod.GET, "/v1/services", null, Map.of());
    assertThat(call.status()).isEqualTo(401);
    assertThat(call.json().getJsonObject("error").getString("status")).isEqualTo("UNAUTHENTICATED");
  }

  @Test
  void signedInWithoutAnAdminRole_gets403Page_andTheApiRefuses() {
    TestBrowser b = new TestBrowser();
    TestBrowser.Response page = ConsoleSignIn.signIn(p, b, "/services", "ana@example.com", PASSWORD);
    assertThat(page.status()).isEqualTo(403);
    assertThat(page.body()).contains("You don't have access").contains("ana@example.com")
        .contains("roles/portcullis.admin").doesNotContain("portcullis-csrf");
    TestBrowser.Response call = api(b, HttpMethod.GET, "/v1/services", null, Map.of());
    assertThat(call.status()).isEqualTo(403);
  }

  @Test
  void adminPage_isPrivate_withAStrictPolicy_andAssetsFromThisHost() {
    TestBrowser b = new TestBrowser();
    TestBrowser.Response page = ConsoleSignIn.signIn(p, b, "/services", admin(),
        p.portcullis().bootstrapPassword().orElseThrow());
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.headers().get("cache-control")).isEqualTo("no-store");
    assertThat(page.headers().get("content-security-policy")).contains("script-src 'self'")
        .contains("frame-ancestors 'none'").doesNotContain("unsafe-inline");
    assertThat(page.body()).contains("src=\"/assets/console.js\"").doesNotContain("<script>")
        .doesNotContainPattern("(src|href)=\"https?://");
    // One look: the console's style sheet starts with the very rules the sign-in and error pages inline.
    TestBrowser.Response css = b.navigate(ConsoleSignIn.consoleUrl(p, "/assets/console.css"));
    assertThat(css.body()).startsWith(dev.portcullis.pages.Pages.baseCss());
    assertThat(b.navigate(ConsoleSignIn.consoleUrl(p, "/no-such-page")).body())
        .contains(dev.portcullis.pages.Pages.baseCss().lines().findFirst().orElseThrow());
    TestBrowser.Response js = b.navigate(ConsoleSignIn.consoleUrl(p, "/assets/console.js"));
    assertThat(js.status()).isEqualTo(200);
    assertThat(js.headers().get("content-type")).startsWith("text/javascript");
    // The script loads nothing from elsewhere: it calls only paths on this host.
    assertThat(js.body()).doesNotContainPattern("(fetch|import|src)\\s*[(=]\\s*['\"]https?:")
        .doesNotContain("//cdn").doesNotContain("innerHTML");
  }

  @Test
  void api_needsTheSessionsToken_andTheSameOrigin() throws InterruptedException {
    TestBrowser b = new TestBrowser();
    TestBrowser.Response page = ConsoleSignIn.signIn(p, b, "/services", admin(),
        p.portcullis().bootstrapPassword().orElseThrow());
    String csrf = ConsoleSignIn.csrf(page);
    String group = "{\"email\":\"forged@example.com\"}";

    assertThat(api(b, HttpMethod.GET, "/v1/services", null, sameOrigin(csrf)).status()).isEqualTo(200);
    assertThat(api(b, HttpMethod.POST, "/v1/groups", group, Map.of("origin", ConsoleSignIn.consoleUrl(p, ""),
        "sec-fetch-site", "same-origin")).status()).as("no token").isEqualTo(403);
    assertThat(api(b, HttpMethod.POST, "/v1/groups", group, Map.of("x-portcullis-csrf", "0".repeat(64)))
        .status()).as("a wrong token").isEqualTo(403);
    assertThat(api(b, HttpMethod.POST, "/v1/groups", group, Map.of("x-portcullis-csrf", csrf,
        "origin", "http://evil.localhost:" + p.port())).status()).as("another origin").isEqualTo(403);
    assertThat(api(b, HttpMethod.POST, "/v1/groups", group, Map.of("x-portcullis-csrf", csrf,
        "sec-fetch-site", "cross-site")).status()).as("a cross-site fetch").isEqualTo(403);
    assertThat(p.admin("GET", "/v1/groups/forged@example.com", null).status()).isEqualTo(404);

    TestBrowser.Response made = api(b, HttpMethod.POST, "/v1/groups", group, sameOrigin(csrf));
    assertThat(made.status()).as(made.body()).isEqualTo(201);

    // A change made in the console is an admin event like any other, in the name of the person signed in;
    // the refused forgeries above made none.
    // (The audit store is written off the request path: wait for the event to land.)
    java.util.List<String> creators = java.util.List.of();
    for (long end = System.nanoTime() + 15_000_000_000L; creators.isEmpty() && System.nanoTime() < end; ) {
      creators = p.admin("GET", "/v1/audit/events?kind=admin", null).body().getJsonArray("events").stream()
          .map(JsonObject.class::cast).filter(e -> "group.create".equals(e.getString("action")))
          .map(e -> e.getJsonObject("principal").getString("email")).toList();
      if (creators.isEmpty()) {
        Thread.sleep(100);
      }
    }
    assertThat(creators).containsExactly(admin());
  }

  @Test
  void viewer_readsEverything_butTheApiRefusesItsWrites() {
    TestBrowser b = new TestBrowser();
    TestBrowser.Response page = ConsoleSignIn.signIn(p, b, "/services", "viewer@example.com", PASSWORD);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("data-can-write=\"false\"").contains("read-only");
    String csrf = ConsoleSignIn.csrf(page);

    TestBrowser.Response list = api(b, HttpMethod.GET, "/v1/services", null, sameOrigin(csrf));
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.json().getJsonArray("services").encode()).contains("dash");
    TestBrowser.Response patch = api(b, HttpMethod.PATCH, "/v1/services/dash", "{\"iap\":false}", sameOrigin(csrf));
    assertThat(patch.status()).isEqualTo(403);
    assertThat(patch.json().getJsonObject("error").getString("message")).contains("portcullis.services.update");
    TestBrowser.Response grant = api(b, HttpMethod.POST, "/v1/organization:setIamPolicy",
        "{\"policy\":{\"bindings\":[{\"role\":\"roles/portcullis.admin\",\"members\":[\"user:viewer@example.com\"]}]}}",
        sameOrigin(csrf));
    assertThat(grant.status()).isEqualTo(403);
    assertThat(p.admin("GET", "/v1/services/dash", null).body().getBoolean("iap")).isTrue();
  }
}
