package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.Portcullis;
import dev.portcullis.authn.User;
import dev.portcullis.iam.PredefinedRoles;
import dev.portcullis.session.Sessions;
import dev.portcullis.testing.TestPortcullis;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admin changes through the real admin API are audited with who made them and what changed, and
 * GET /v1/audit/events reads them back with filters and a cursor.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminAuditTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dir;
  TestPortcullis portcullis;

  @BeforeAll
  void start() throws Exception {
    portcullis = TestPortcullis.start(dir.resolve("data"));
  }

  @AfterAll
  void stop() {
    portcullis.close();
  }

  @Test
  void groupMembershipChanges_recordWhoAndTheMembersBeforeAndAfter() throws Exception {
    String admin = apiToken("ada@example.com");
    portcullis.grant("organization", PredefinedRoles.ADMIN, "user:ada@example.com");
    assertThat(call(admin, "POST", "/v1/groups", new JsonObject().put("email", "eng@example.com")).status())
        .isEqualTo(201);
    assertThat(call(admin, "POST", "/v1/groups/eng@example.com/members",
        new JsonObject().put("member", "user:bob@example.com")).status()).isEqualTo(201);
    assertThat(call(admin, "DELETE", "/v1/groups/eng@example.com/members/user:bob@example.com", null).status())
        .isEqualTo(200);

    JsonObject created = awaitEvent("kind=admin&member=user:ada@example.com",
        e -> "group.create".equals(e.getString("action")));
    assertThat(created.getString("target")).isEqualTo("groups/eng@example.com");
    assertThat(created.containsKey("before")).isFalse();
    assertThat(created.getJsonObject("after").getString("email")).isEqualTo("eng@example.com");
    assertThat(created.getJsonObject("principal").getString("email")).isEqualTo("ada@example.com");

    JsonObject added = awaitEvent("kind=admin", e -> "group.member.add".equals(e.getString("action")));
    assertThat(added.getJsonObject("change").getJsonObject("members").getJsonArray("before")).isEmpty();
    assertThat(added.getJsonObject("change").getJsonObject("members").getJsonArray("after"))
        .containsExactly("user:bob@example.com");

    JsonObject removed = awaitEvent("kind=admin", e -> "group.member.remove".equals(e.getString("action")));
    assertThat(removed.getString("target")).isEqualTo("groups/eng@example.com");
    assertThat(removed.getJsonObject("change").getJsonObject("members").getJsonArray("before"))
        .containsExactly("user:bob@example.com");
    assertThat(removed.getJsonObject("change").getJsonObject("members").getJsonArray("after")).isEmpty();
    assertThat(removed.getString("clientIp")).isEqualTo("127.0.0.1");
    assertThat(removed.getString("hash")).matches("[0-9a-f]{64}");
    assertThat(removed.getString("replica")).isNotBlank();
  }

  @Test
  void policyAndServiceChanges_recordTheirDifference_andRefusedChangesRecordNothing() throws Exception {
    String upstream = "http://127.0.0.1:9";
    portcullis.createService("audited", upstream);
    portcullis.admin("PATCH", "/v1/services/audited", new JsonObject().put("iap", true));
    portcullis.grant("projects/default/services/audited", PredefinedRoles.ACCESSOR, "user:cy@example.com");

    JsonObject update = awaitEvent("kind=admin&service=audited", e -> "service.update".equals(e.getString("action")));
    assertThat(update.getJsonObject("change").fieldNames()).contains("iap");
    assertThat(update.getJsonObject("change").getJsonObject("iap").getBoolean("after")).isTrue();
    assertThat(update.getJsonObject("principal").getString("kind")).isEqualTo("breakGlass");
    // The break-glass token's changes can be asked for by member too.
    awaitEvent("kind=admin&member=breakGlass:admin-token", e -> "service.update".equals(e.getString("action")));

    JsonObject policy = awaitEvent("kind=admin&service=audited", e -> "policy.set".equals(e.getString("action")));
    assertThat(policy.getString("target")).isEqualTo("projects/default/services/audited");
    assertThat(policy.getJsonObject("after").encode()).contains("user:cy@example.com");
    assertThat(policy.getJsonObject("change").fieldNames()).contains("bindings");

    // A viewer's write is refused (403) and changes nothing: no event.
    String viewer = apiToken("vi@example.com");
    portcullis.grant("organization", PredefinedRoles.VIEWER, "user:vi@example.com");
    assertThat(call(viewer, "PATCH", "/v1/services/audited", new JsonObject().put("iap", false)).status())
        .isEqualTo(403);
    assertThat(call(viewer, "DELETE", "/v1/services/audited", null).status()).isEqualTo(403);
    // A write the API rejects (bad input) records nothing either.
    assertThat(portcullis.admin("PATCH", "/v1/services/audited", new JsonObject().put("upstream", "ftp://x"))
        .status()).isEqualTo(400);
    Thread.sleep(300);
    JsonArray all = events("kind=admin&service=audited&limit=1000");
    long updates = all.stream().map(JsonObject.class::cast)
        .filter(e -> "service.update".equals(e.getString("action"))).count();
    assertThat(updates).isEqualTo(1);
    assertThat(all.stream().map(JsonObject.class::cast).noneMatch(e -> "service.delete".equals(e.getString("action"))))
        .isTrue();
    // ...but the viewer may read the audit log.
    assertThat(call(viewer, "GET", "/v1/audit/events?kind=admin", null).status()).isEqualTo(200);
  }

  @Test
  void secretsAreNeverInTheEvents_keysUsersSessions() throws Exception {
    var sa = portcullis.admin("POST", "/v1/serviceAccounts", new JsonObject().put("accountId", "robot-one")
        .put("project", "default"));
    assertThat(sa.status()).as(sa.body().encode()).isEqualTo(201);
    String robot = sa.body().getString("email");
    var key = portcullis.admin("POST", "/v1/serviceAccounts/" + robot + "/keys", null);
    assertThat(key.status()).isEqualTo(201);
    String privateKey = key.body().getJsonObject("keyFile").getString("private_key");
    assertThat(privateKey).contains("PRIVATE KEY");

    var user = portcullis.admin("POST", "/v1/users", new JsonObject().put("email", "dee@example.com"));
    assertThat(user.status()).isEqualTo(201);
    String password = user.body().getString("password");
    assertThat(password).isNotBlank();
    assertThat(portcullis.admin("POST", "/v1/users/dee@example.com:disable", null).status()).isEqualTo(200);

    JsonObject keyEvent = awaitEvent("kind=admin", e -> "serviceAccount.key.create".equals(e.getString("action")));
    assertThat(keyEvent.getString("target")).isEqualTo("serviceAccounts/" + robot);
    assertThat(keyEvent.getJsonObject("change").getJsonObject("keys").getJsonArray("after"))
        .containsExactly(key.body().getString("keyId"));
    JsonObject disabled = awaitEvent("kind=admin", e -> "user.disable".equals(e.getString("action")));
    assertThat(disabled.getString("target")).isEqualTo("users/dee@example.com");
    assertThat(disabled.getJsonObject("change").fieldNames()).contains("disabled");
    awaitEvent("kind=admin", e -> "user.create".equals(e.getString("action")));

    String everything = events("kind=admin&limit=1000").encode();
    assertThat(everything).doesNotContain(password).doesNotContain("PRIVATE KEY")
        .doesNotContain(privateKey.substring(40, 80));

    // Revoking a session: before is the session, after is gone.
    String token = apiToken("sid@example.com");
    JsonObject listed = portcullis.admin("GET", "/v1/sessions?user=sid@example.com", null).body();
    String id = listed.getJsonArray("sessions").getJsonObject(0).getString("id");
    assertThat(portcullis.admin("DELETE", "/v1/sessions/" + id, null).status()).isEqualTo(200);
    JsonObject revoked = awaitEvent("kind=admin", e -> "session.revoke".equals(e.getString("action")));
    assertThat(revoked.getJsonObject("before").getString("user")).isEqualTo("sid@example.com");
    assertThat(revoked.containsKey("after")).isFalse();
    assertThat(everything + revoked.encode()).doesNotContain(token);
  }

  @Test
  void query_filtersAndCursor_andBadFiltersNameTheField() throws Exception {
    portcullis.admin("POST", "/v1/groups", new JsonObject().put("email", "cursor1@example.com"));
    JsonObject first = awaitEvent("kind=admin", e -> "groups/cursor1@example.com".equals(e.getString("target")));
    JsonObject page = get("/v1/audit/events?kind=admin&limit=1").body();
    String cursor = page.getString("cursor");
    assertThat(cursor).isNotBlank();
    assertThat(get("/v1/audit/events?after=" + enc(cursor)).body().getJsonArray("events")).isEmpty();
    portcullis.admin("POST", "/v1/groups", new JsonObject().put("email", "cursor2@example.com"));
    portcullis.admin("POST", "/v1/groups", new JsonObject().put("email", "cursor3@example.com"));
    JsonArray next = new JsonArray();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (next.size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(50);
      next = get("/v1/audit/events?kind=admin&after=" + enc(cursor)).body().getJsonArray("events");
    }
    assertThat(next.stream().map(e -> ((JsonObject) e).getString("target")))
        .containsExactly("groups/cursor2@example.com", "groups/cursor3@example.com");
    assertThat(first.getString("time")).isNotBlank();

    // since as a time and as a duration; until before everything gives nothing.
    assertThat(get("/v1/audit/events?since=1h&kind=admin").body().getJsonArray("events")).isNotEmpty();
    assertThat(get("/v1/audit/events?until=" + enc(Instant.now().minus(Duration.ofDays(1)).toString()))
        .body().getJsonArray("events")).isEmpty();

    var bad = get("/v1/audit/events?decision=maybe&since=yesterday&limit=0&after=x&colour=red");
    assertThat(bad.status()).isEqualTo(400);
    String errors = bad.body().encode();
    assertThat(errors).contains("decision").contains("since").contains("limit").contains("after").contains("colour");
    assertThat(get("/v1/audit/events?member=ann@example.com").status()).isEqualTo(400);
  }

  @Test
  void aPersonWithoutTheAuditPermissionCannotRead() throws Exception {
    String nobody = apiToken("nod@example.com");
    assertThat(call(nobody, "GET", "/v1/audit/events", null).status()).isEqualTo(403);
  }

  // --- helpers ---

  private JsonObject awaitEvent(String query, Predicate<JsonObject> match) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      for (Object o : events(query + "&limit=1000")) {
        if (match.test((JsonObject) o)) {
          return (JsonObject) o;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no audit event matched for " + query + "; have " + events(query).encodePrettily());
  }

  private JsonArray events(String query) {
    var r = get("/v1/audit/events?" + query);
    assertThat(r.status()).as(r.body().encode()).isEqualTo(200);
    return r.body().getJsonArray("events");
  }

  private TestPortcullis.AdminResponse get(String path) {
    return portcullis.admin("GET", path, null);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private String apiToken(String email) {
    var accounts = portcullis.portcullis().accounts().orElseThrow();
    User u = portcullis.portcullis().users().findLocal(email)
        .orElseGet(() -> accounts.create(email, Optional.empty(), "a long enough password"));
    Sessions sessions = portcullis.portcullis().sessions();
    Sessions.Created central = sessions.createCentral(u.identity(), portcullis.portcullis().settings().authHost(), null,
        "127.0.0.1", "test");
    return sessions.createForHost(central.session(), Portcullis.API_HOST, "127.0.0.1", "test").orElseThrow()
        .cookieValue();
  }

  private TestPortcullis.AdminResponse call(String token, String method, String path, JsonObject body)
      throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(portcullis.adminUrl() + path))
        .header("authorization", "Bearer " + token)
        .header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode()))
        .build();
    HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    return new TestPortcullis.AdminResponse(r.statusCode(),
        r.body().isBlank() ? new JsonObject() : new JsonObject(r.body()));
  }
}
