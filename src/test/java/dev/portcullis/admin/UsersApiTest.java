package dev.portcullis.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.authn.User;
import dev.portcullis.authn.local.LocalAccounts;
import dev.portcullis.authn.local.LocalAccounts.Outcome;
import dev.portcullis.testing.SignedInSessions;
import dev.portcullis.testing.SignedInSessions.SignIn;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** /v1/users end to end: a real Portcullis, sign-ins checked with the real accounts and the real gateway. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsersApiTest {
  Upstreams upstreams;
  TestPortcullis portcullis;
  SignedInSessions signedIn;
  LocalAccounts accounts;
  String service;
  final AtomicInteger names = new AtomicInteger();
  final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    String upstream = upstreams.http(req -> req.response().end("behind iap"));
    portcullis = TestPortcullis.start(dir);
    accounts = portcullis.portcullis().accounts().orElseThrow();
    signedIn = new SignedInSessions(portcullis, upstreams.vertx().createHttpClient());
    service = "guarded";
    portcullis.createService(service, upstream, new JsonObject().put("iap", true));
    portcullis.grantAllSignedIn();
  }

  @AfterAll
  void stop() throws Exception {
    if (portcullis != null) {
      portcullis.close();
    }
    upstreams.close();
  }

  String email(String prefix) {
    return prefix + "-" + names.incrementAndGet() + "@example.com";
  }

  record Raw(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /** The admin API's answer as the wire carries it, so nothing can hide in a field the test does not read. */
  Raw call(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(portcullis.adminUrl() + path))
        .header("authorization", "Bearer " + portcullis.adminToken())
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("content-type", "application/json");
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Raw(r.statusCode(), r.body());
  }

  Raw call(String method, String path, JsonObject body) throws Exception {
    return call(method, path, body == null ? null : body.encode());
  }

  static String custom(String email, String verb) {
    return "/v1/users/" + URLEncoder.encode(email, StandardCharsets.UTF_8) + ":" + verb;
  }

  JsonObject listed(String email) throws Exception {
    Raw r = call("GET", "/v1/users", (String) null);
    assertThat(r.status()).isEqualTo(200);
    return r.json().getJsonArray("users").stream().map(JsonObject.class::cast)
        .filter(u -> u.getString("email").equals(email)).findFirst().orElseThrow(() ->
            new AssertionError(email + " not in " + r.body()));
  }

  static List<String> fields(Raw r) {
    JsonArray details = r.json().getJsonObject("error").getJsonArray("details");
    assertThat(details).as(r.body()).isNotNull();
    return details.getJsonObject(0).getJsonArray("fieldViolations").stream()
        .map(v -> ((JsonObject) v).getString("field")).toList();
  }

  /** Nothing that would let a reader sign in as someone: no hash, no stored password field. */
  static void assertNoSecrets(Raw r) {
    assertThat(r.body()).doesNotContain("argon2").doesNotContain("passwordHash").doesNotContain("password_hash")
        .doesNotContain("$v=");
  }

  @Test
  void create_withoutPassword_returnsAGeneratedOneOnce_thatSignsIn() throws Exception {
    String email = email("gen");

    Raw r = call("POST", "/v1/users", new JsonObject().put("email", email).put("displayName", "Gen Erated"));

    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertNoSecrets(r);
    JsonObject created = r.json();
    String password = created.getString("password");
    assertThat(password).hasSizeGreaterThanOrEqualTo(LocalAccounts.MIN_PASSWORD_LENGTH);
    assertThat(created.getString("email")).isEqualTo(email);
    assertThat(created.getString("kind")).isEqualTo("local");
    assertThat(created.getString("provider")).isEqualTo("local");
    assertThat(created.getString("displayName")).isEqualTo("Gen Erated");
    assertThat(created.getBoolean("disabled")).isFalse();
    assertThat(accounts.signIn(email, password, "10.1.0.1").outcome()).isEqualTo(Outcome.SUCCESS);

    Raw list = call("GET", "/v1/users", (String) null);
    assertNoSecrets(list);
    assertThat(list.body()).doesNotContain(password).doesNotContain("\"password\"");
    JsonObject shown = listed(email);
    assertThat(shown.getString("subject")).startsWith("local:");
    assertThat(shown.getString("createTime")).isNotBlank();
    assertThat(shown.getString("lastSignIn")).as("set by the sign-in above").isNotBlank();
    assertThat(shown.getBoolean("locked")).isFalse();
  }

  @Test
  void create_withPassword_doesNotEchoIt_andThatPasswordSignsIn() throws Exception {
    String email = email("given");
    String password = "correct horse battery";

    Raw r = call("POST", "/v1/users", new JsonObject().put("email", email).put("password", password));

    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.body()).doesNotContain(password).doesNotContain("\"password\"");
    assertNoSecrets(r);
    assertThat(accounts.signIn(email, password, "10.1.0.2").outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(accounts.signIn(email, "wrong password!", "10.1.0.2").outcome()).isEqualTo(Outcome.INVALID);
  }

  @Test
  void create_twice_is409AlreadyExists_andTheFirstPasswordStillWorks() throws Exception {
    String email = email("twice");
    String password = "first password";
    assertThat(call("POST", "/v1/users", new JsonObject().put("email", email).put("password", password)).status())
        .isEqualTo(201);

    Raw again = call("POST", "/v1/users", new JsonObject().put("email", email.toUpperCase()));

    assertThat(again.status()).as(again.body()).isEqualTo(409);
    assertThat(again.json().getJsonObject("error").getString("status")).isEqualTo("ALREADY_EXISTS");
    assertThat(again.json().getJsonObject("error").getString("message")).contains(email);
    assertThat(accounts.signIn(email, password, "10.1.0.3").outcome()).isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void create_namesEveryBadField_andCreatesNothing() throws Exception {
    Raw r = call("POST", "/v1/users", new JsonObject().put("email", "not-an-email").put("password", "short")
        .put("displayName", 7).put("role", "admin"));

    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.json().getJsonObject("error").getString("status")).isEqualTo("INVALID_ARGUMENT");
    assertThat(fields(r)).containsExactlyInAnyOrder("email", "password", "displayName", "role");
    assertThat(r.body()).contains("at least 10 characters").contains("not-an-email");
    assertThat(call("GET", "/v1/users", (String) null).body()).doesNotContain("not-an-email");
  }

  @Test
  void create_refusesAMissingEmail_andBodiesThatAreNotObjects() throws Exception {
    Raw missing = call("POST", "/v1/users", new JsonObject().put("displayName", "Nobody"));
    assertThat(missing.status()).isEqualTo(400);
    assertThat(fields(missing)).containsExactly("email");

    Raw array = call("POST", "/v1/users", "[1]");
    assertThat(array.status()).isEqualTo(400);
    assertThat(array.json().getJsonObject("error").getString("message")).contains("JSON object");

    Raw garbage = call("POST", "/v1/users", "{not json");
    assertThat(garbage.status()).isEqualTo(400);
  }

  @Test
  void list_showsExternalUsersToo_withTheirProviderAndSubject() throws Exception {
    portcullis.portcullis().users().upsertExternal("ext-id-1", "corp", "corp:12345", "bea@corp.example",
        Optional.of("Bea"));

    JsonObject shown = listed("bea@corp.example");

    assertThat(shown.getString("kind")).isEqualTo("external");
    assertThat(shown.getString("provider")).isEqualTo("corp");
    assertThat(shown.getString("subject")).isEqualTo("corp:12345");
    assertThat(shown.getString("displayName")).isEqualTo("Bea");
    assertThat(shown.getBoolean("disabled")).isFalse();
  }

  @Test
  void disable_refusesTheSignedInSessionOnItsNextRequest_andSignIn_untilEnabled() throws Exception {
    String email = email("dis");
    String password = "disable me please";
    accounts.create(email, Optional.empty(), password);
    User user = accounts.find(email);
    SignIn session = signedIn.signIn(user, service);
    assertThat(signedIn.get(service, session.cookie())).isEqualTo(200);

    Raw r = call("POST", custom(email, "disable"), (String) null);

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getBoolean("disabled")).isTrue();
    assertNoSecrets(r);
    assertThat(signedIn.get(service, session.cookie())).isEqualTo(401);
    assertThat(accounts.signIn(email, password, "10.1.0.4").outcome()).isEqualTo(Outcome.INVALID);
    assertThat(listed(email).getBoolean("disabled")).isTrue();

    Raw enabled = call("POST", custom(email, "enable"), (String) null);

    assertThat(enabled.status()).as(enabled.body()).isEqualTo(200);
    assertThat(enabled.json().getBoolean("disabled")).isFalse();
    assertThat(accounts.signIn(email, password, "10.1.0.4").outcome()).isEqualTo(Outcome.SUCCESS);
    SignIn again = signedIn.signIn(accounts.find(email), service);
    assertThat(signedIn.get(service, again.cookie())).isEqualTo(200);
    assertThat(signedIn.get(service, session.cookie())).as("the revoked session stays revoked").isEqualTo(401);
  }

  @Test
  void disable_externalIdentity_refusesEvenASessionCreatedAfterTheDisable() throws Exception {
    String email = email("ext");
    User external = portcullis.portcullis().users().upsertExternal("ext-" + names.incrementAndGet(), "corp",
        "corp:" + email, email, Optional.empty());

    Raw r = call("POST", custom(email, "disable"), (String) null);

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    // A sign-in that raced with the disable and made its session just after it is still refused.
    SignIn late = signedIn.signIn(external, service);
    assertThat(signedIn.get(service, late.cookie())).isEqualTo(401);

    assertThat(call("POST", custom(email, "enable"), (String) null).status()).isEqualTo(200);
    SignIn again = signedIn.signIn(external, service);
    assertThat(signedIn.get(service, again.cookie())).isEqualTo(200);
  }

  @Test
  void disable_takesAnEmailWithReservedCharacters_encodedInThePath() throws Exception {
    String email = "ana+qa." + names.incrementAndGet() + "@example.com";
    accounts.create(email, Optional.empty(), "plus sign account");

    Raw r = call("POST", custom(email, "disable"), (String) null);

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getString("email")).isEqualTo(email);
    assertThat(accounts.find(email).disabled()).isTrue();
  }

  @Test
  void resetPassword_generated_replacesTheOld_revokesSessions_andLiftsALockout() throws Exception {
    String email = email("reset");
    String old = "the old password";
    accounts.create(email, Optional.empty(), old);
    for (int i = 0; i < 5; i++) {
      accounts.signIn(email, "wrong password " + i, "10.2.0." + i);
    }
    assertThat(accounts.signIn(email, old, "10.2.1.1").outcome()).isEqualTo(Outcome.LOCKED);
    assertThat(listed(email).getBoolean("locked")).isTrue();
    SignIn session = signedIn.signIn(accounts.find(email), service);
    assertThat(signedIn.get(service, session.cookie())).isEqualTo(200);

    Raw r = call("POST", custom(email, "resetPassword"), (String) null);

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertNoSecrets(r);
    String generated = r.json().getString("password");
    assertThat(generated).hasSizeGreaterThanOrEqualTo(LocalAccounts.MIN_PASSWORD_LENGTH);
    assertThat(r.json().getBoolean("locked")).isFalse();
    assertThat(signedIn.get(service, session.cookie())).isEqualTo(401);
    assertThat(accounts.signIn(email, old, "10.2.1.2").outcome()).isEqualTo(Outcome.INVALID);
    assertThat(accounts.signIn(email, generated, "10.2.1.3").outcome()).isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void resetPassword_given_isNotEchoed_andShortOnesAreRefusedByField() throws Exception {
    String email = email("reset-given");
    accounts.create(email, Optional.empty(), "the old password");

    Raw shortOne = call("POST", custom(email, "resetPassword"), new JsonObject().put("password", "tiny"));
    assertThat(shortOne.status()).isEqualTo(400);
    assertThat(fields(shortOne)).containsExactly("password");
    assertThat(accounts.signIn(email, "the old password", "10.3.0.1").outcome()).isEqualTo(Outcome.SUCCESS);

    Raw r = call("POST", custom(email, "resetPassword"), new JsonObject().put("password", "a brand new one"));

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).doesNotContain("a brand new one").doesNotContain("\"password\"");
    assertThat(accounts.signIn(email, "a brand new one", "10.3.0.2").outcome()).isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void customMethods_onUnknownAccounts_badEmails_andUnknownVerbs() throws Exception {
    Raw unknown = call("POST", custom("nobody-here@example.com", "disable"), (String) null);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().getJsonObject("error").getString("message")).contains("nobody-here@example.com");

    Raw external = call("POST", custom("bea-ext@corp.example", "enable"), (String) null);
    assertThat(external.status()).isEqualTo(404);

    Raw badEmail = call("POST", custom("not an email", "disable"), (String) null);
    assertThat(badEmail.status()).isEqualTo(400);
    assertThat(fields(badEmail)).containsExactly("email");

    String email = email("verb");
    accounts.create(email, Optional.empty(), "some password");
    Raw verb = call("POST", custom(email, "delete"), (String) null);
    assertThat(verb.status()).isEqualTo(404);
    assertThat(verb.json().getJsonObject("error").getString("message")).contains(":disable");
    assertThat(call("POST", "/v1/users/" + email, (String) null).status()).isEqualTo(404);
    assertThat(accounts.find(email).disabled()).isFalse();
  }

  @Test
  void needsTheAdminToken() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(portcullis.adminUrl() + "/v1/users")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
    HttpResponse<String> create = http.send(HttpRequest.newBuilder(URI.create(portcullis.adminUrl() + "/v1/users"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"email\": \"sneaky@example.com\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(create.statusCode()).isEqualTo(401);
    assertThat(portcullis.portcullis().users().findLocal("sneaky@example.com")).isEmpty();
  }

  @Test
  void withBuiltInAccountsOff_creatingAndResettingAreRefused_listingStillWorks(@TempDir Path dir) throws Exception {
    try (TestPortcullis off = TestPortcullis.start(dir, Map.of("auth.local.enabled", "false"))) {
      TestPortcullis.AdminResponse create = off.admin("POST", "/v1/users",
          new JsonObject().put("email", "ana@example.com"));
      assertThat(create.status()).isEqualTo(400);
      assertThat(create.body().getJsonObject("error").getString("status")).isEqualTo("FAILED_PRECONDITION");
      assertThat(create.body().getJsonObject("error").getString("message"))
          .contains("built-in accounts are turned off").contains("auth.local.enabled");

      TestPortcullis.AdminResponse reset = off.admin("POST", custom("ana@example.com", "resetPassword"), null);
      assertThat(reset.status()).isEqualTo(400);
      assertThat(reset.body().getJsonObject("error").getString("status")).isEqualTo("FAILED_PRECONDITION");

      TestPortcullis.AdminResponse list = off.admin("GET", "/v1/users", null);
      assertThat(list.status()).isEqualTo(200);
      assertThat(list.body().getJsonArray("users")).isEmpty();
    }
  }
}
