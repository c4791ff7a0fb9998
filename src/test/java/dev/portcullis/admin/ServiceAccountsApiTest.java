package dev.portcullis.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.TestPortcullis.AdminResponse;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** /v1/serviceAccounts end to end: naming, listing, disabling, deleting, and the snapshot after each answer. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceAccountsApiTest {
  TestPortcullis portcullis;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    portcullis = TestPortcullis.start(dir);
  }

  @AfterAll
  void stop() {
    if (portcullis != null) {
      portcullis.close();
    }
  }

  AdminResponse create(String accountId, String project) {
    JsonObject body = new JsonObject().put("accountId", accountId);
    if (project != null) {
      body.put("project", project);
    }
    return portcullis.admin("POST", "/v1/serviceAccounts", body);
  }

  List<String> fields(AdminResponse r) {
    return r.body().getJsonObject("error").getJsonArray("details").getJsonObject(0).getJsonArray("fieldViolations")
        .stream().map(v -> ((JsonObject) v).getString("field")).toList();
  }

  @Test
  void create_namesItInTheProject_andListShowsIt() {
    AdminResponse r = portcullis.admin("POST", "/v1/serviceAccounts", new JsonObject().put("accountId", "ci-deploy")
        .put("project", "payments").put("displayName", "CI deployer"));

    assertThat(r.status()).as(r.body().encode()).isEqualTo(201);
    String email = "ci-deploy@payments.iam.portcullis.internal";
    assertThat(r.body().getString("email")).isEqualTo(email);
    assertThat(r.body().getString("name")).isEqualTo("projects/payments/serviceAccounts/" + email);
    assertThat(r.body().getString("accountId")).isEqualTo("ci-deploy");
    assertThat(r.body().getBoolean("disabled")).isFalse();
    assertThat(portcullis.portcullis().directory().snapshot().serviceAccountActive(email)).isTrue();

    assertThat(create("default-one", null).body().getString("email")).isEqualTo("default-one@default.iam.portcullis.internal");
    assertThat(portcullis.admin("GET", "/v1/serviceAccounts?project=payments", null).body()
        .getJsonArray("serviceAccounts").stream().map(s -> ((JsonObject) s).getString("email"))).containsExactly(email);
    assertThat(portcullis.admin("GET", "/v1/serviceAccounts", null).body().getJsonArray("serviceAccounts"))
        .hasSizeGreaterThanOrEqualTo(2);
    assertThat(portcullis.admin("GET", "/v1/serviceAccounts/" + email, null).body().getString("displayName"))
        .isEqualTo("CI deployer");
    AdminResponse again = create("ci-deploy", "payments");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().getJsonObject("error").getString("status")).isEqualTo("ALREADY_EXISTS");
  }

  @Test
  void disable_andEnable_areInTheSnapshotBeforeTheAnswer_andTakeAnEtag() {
    String email = create("batch-job", null).body().getString("email");

    AdminResponse disabled = portcullis.admin("POST", "/v1/serviceAccounts/" + email + ":disable", null);

    assertThat(disabled.status()).as(disabled.body().encode()).isEqualTo(200);
    assertThat(disabled.body().getBoolean("disabled")).isTrue();
    assertThat(portcullis.portcullis().directory().snapshot().serviceAccountActive(email)).isFalse();

    AdminResponse stale = portcullis.admin("POST", "/v1/serviceAccounts/" + email + ":enable",
        new JsonObject().put("etag", "v1"));
    assertThat(stale.status()).isEqualTo(409);
    assertThat(portcullis.portcullis().directory().snapshot().serviceAccountActive(email)).isFalse();

    AdminResponse enabled = portcullis.admin("POST", "/v1/serviceAccounts/" + email + ":enable",
        new JsonObject().put("etag", disabled.body().getString("etag")));
    assertThat(enabled.status()).isEqualTo(200);
    assertThat(portcullis.portcullis().directory().snapshot().serviceAccountActive(email)).isTrue();
    assertThat(portcullis.admin("POST", "/v1/serviceAccounts/" + email + ":explode", null).status()).isEqualTo(404);
  }

  @Test
  void delete_removesItFromGroups_andUnknownIs404() {
    String email = create("short-lived", null).body().getString("email");
    portcullis.admin("POST", "/v1/groups", new JsonObject().put("email", "robots@example.com"));
    AdminResponse added = portcullis.admin("POST", "/v1/groups/robots@example.com/members",
        new JsonObject().put("member", "serviceAccount:" + email));
    assertThat(added.status()).as(added.body().encode()).isEqualTo(201);

    AdminResponse deleted = portcullis.admin("DELETE", "/v1/serviceAccounts/" + email, null);

    assertThat(deleted.status()).isEqualTo(200);
    assertThat(portcullis.admin("GET", "/v1/serviceAccounts/" + email, null).status()).isEqualTo(404);
    assertThat(portcullis.admin("GET", "/v1/groups/robots@example.com/members", null).body()
        .getJsonArray("members")).isEmpty();
    assertThat(portcullis.portcullis().directory().snapshot().groupsOf("serviceAccount:" + email)).isEmpty();
    assertThat(portcullis.admin("POST", "/v1/serviceAccounts/" + email + ":disable", null).status()).isEqualTo(404);
  }

  @Test
  void create_refusals_nameTheirFields() {
    AdminResponse r = portcullis.admin("POST", "/v1/serviceAccounts",
        new JsonObject().put("accountId", "x").put("project", "Bad_Project").put("kind", "robot"));

    assertThat(r.status()).isEqualTo(400);
    assertThat(fields(r)).containsExactlyInAnyOrder("accountId", "project", "kind");
    assertThat(fields(portcullis.admin("POST", "/v1/serviceAccounts", new JsonObject()))).containsExactly("accountId");
    assertThat(fields(portcullis.admin("GET", "/v1/serviceAccounts/no-at-sign", null))).containsExactly("email");
  }
}
