package dev.portcullis.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.TestPortcullis.AdminResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** /v1/accessLevels and /v1/conditions:validate against a real Portcullis. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessLevelsApiTest {
  TestPortcullis portcullis;
  final AtomicInteger names = new AtomicInteger();

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

  String name(String prefix) {
    return prefix + "_" + names.incrementAndGet();
  }

  AdminResponse call(String method, String path, JsonObject body) {
    return portcullis.admin(method, path, body);
  }

  JsonObject created(JsonObject body) {
    AdminResponse r = call("POST", "/v1/accessLevels", body);
    assertThat(r.status()).as(r.body().encode()).isEqualTo(201);
    return r.body();
  }

  static JsonArray violations(AdminResponse r) {
    return r.body().getJsonObject("error").getJsonArray("details").getJsonObject(0).getJsonArray("fieldViolations");
  }

  @Test
  void create_thenGet_thenList() {
    String n = name("corp");

    JsonObject made = created(new JsonObject().put("name", n).put("title", "Corporate network")
        .put("description", "offices and VPN").put("ipSubnetworks", new JsonArray().add("10.0.0.0/8")));

    assertThat(made.getString("name")).isEqualTo("accessLevels/" + n);
    assertThat(made.getString("etag")).isEqualTo("v1");
    assertThat(made.getJsonArray("ipSubnetworks")).containsExactly("10.0.0.0/8");
    assertThat(made.containsKey("expression")).isFalse();
    AdminResponse got = call("GET", "/v1/accessLevels/" + n, null);
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.body()).isEqualTo(made);
    JsonArray all = call("GET", "/v1/accessLevels", null).body().getJsonArray("accessLevels");
    assertThat(all.stream().map(o -> ((JsonObject) o).getString("name"))).contains("accessLevels/" + n);
    assertThat(portcullis.portcullis().accessLevels().snapshot()
        .satisfied("h", "/", "GET", Instant.now(), "10.1.1.1")).contains("accessLevels/" + n);
  }

  @Test
  void create_takesTheFullNameToo_andAnExpression() {
    String n = name("paths");

    JsonObject made = created(new JsonObject().put("name", "accessLevels/" + n)
        .put("expression", "request.path.startsWith('/admin')"));

    assertThat(made.getString("name")).isEqualTo("accessLevels/" + n);
    assertThat(made.getString("expression")).isEqualTo("request.path.startsWith('/admin')");
    assertThat(made.containsKey("ipSubnetworks")).isFalse();
  }

  @Test
  void create_refusesHostBitsAndBadExpressions_namingTheFields() {
    AdminResponse bits = call("POST", "/v1/accessLevels", new JsonObject().put("name", name("bad"))
        .put("ipSubnetworks", new JsonArray().add("10.0.0.0/8").add("10.1.2.3/16")));
    AdminResponse expr = call("POST", "/v1/accessLevels", new JsonObject().put("name", name("bad"))
        .put("expression", "request.hots == 'x'"));
    AdminResponse name = call("POST", "/v1/accessLevels", new JsonObject().put("name", "Bad-Name")
        .put("ipSubnetworks", new JsonArray().add("10.0.0.0/8")));

    assertThat(bits.status()).isEqualTo(400);
    assertThat(violations(bits).getJsonObject(0).getString("field")).isEqualTo("ipSubnetworks[1]");
    assertThat(violations(bits).getJsonObject(0).getString("description")).contains("10.1.0.0/16");
    assertThat(expr.status()).isEqualTo(400);
    assertThat(violations(expr).getJsonObject(0).getString("field")).isEqualTo("expression");
    assertThat(violations(expr).getJsonObject(0).getString("description"))
        .startsWith("line 1, column 1: undeclared reference to 'request.hots'");
    assertThat(name.status()).isEqualTo(400);
    assertThat(violations(name).getJsonObject(0).getString("field")).isEqualTo("name");
  }

  @Test
  void create_refusesAnExistingName() {
    String n = name("twice");
    created(new JsonObject().put("name", n).put("ipSubnetworks", new JsonArray().add("10.0.0.0/8")));

    AdminResponse again = call("POST", "/v1/accessLevels", new JsonObject().put("name", n)
        .put("ipSubnetworks", new JsonArray().add("11.0.0.0/8")));

    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().getJsonObject("error").getString("status")).isEqualTo("ALREADY_EXISTS");
  }

  @Test
  void update_withStaleEtag_is409_andWithCurrentEtag_switchesKind() {
    String n = name("moving");
    created(new JsonObject().put("name", n).put("ipSubnetworks", new JsonArray().add("10.0.0.0/8")));
    AdminResponse v2 = call("PATCH", "/v1/accessLevels/" + n, new JsonObject().put("etag", "v1")
        .put("title", "Renamed"));

    AdminResponse stale = call("PATCH", "/v1/accessLevels/" + n, new JsonObject().put("etag", "v1")
        .put("title", "Lost update"));
    AdminResponse v3 = call("PATCH", "/v1/accessLevels/" + n, new JsonObject().put("etag", "v2")
        .put("expression", "request.method == 'GET'"));

    assertThat(v2.status()).isEqualTo(200);
    assertThat(v2.body().getString("title")).isEqualTo("Renamed");
    assertThat(stale.status()).isEqualTo(409);
    assertThat(stale.body().getJsonObject("error").getString("message")).contains("etag");
    assertThat(v3.status()).as(v3.body().encode()).isEqualTo(200);
    assertThat(v3.body().getString("etag")).isEqualTo("v3");
    assertThat(v3.body().getString("title")).isEqualTo("Renamed");
    assertThat(v3.body().getString("expression")).isEqualTo("request.method == 'GET'");
    assertThat(v3.body().containsKey("ipSubnetworks")).isFalse();
  }

  @Test
  void update_refusesUnknownFieldsAndWrongTypes() {
    String n = name("strict");
    created(new JsonObject().put("name", n).put("ipSubnetworks", new JsonArray().add("10.0.0.0/8")));

    AdminResponse r = call("PATCH", "/v1/accessLevels/" + n, new JsonObject().put("ipSubnetwork", "10.0.0.0/8")
        .put("title", 7));

    assertThat(r.status()).isEqualTo(400);
    assertThat(violations(r).stream().map(v -> ((JsonObject) v).getString("field")))
        .containsExactlyInAnyOrder("ipSubnetwork", "title");
  }

  @Test
  void delete_withStaleEtagIs409_thenDeletes_thenGetIs404() throws Exception {
    String n = name("gone");
    created(new JsonObject().put("name", n).put("ipSubnetworks", new JsonArray().add("10.0.0.0/8")));

    int stale = deleteWithIfMatch(n, "v9");
    AdminResponse deleted = call("DELETE", "/v1/accessLevels/" + n, null);

    assertThat(stale).isEqualTo(409);
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(deleted.body().getString("name")).isEqualTo("accessLevels/" + n);
    assertThat(call("GET", "/v1/accessLevels/" + n, null).status()).isEqualTo(404);
    assertThat(call("DELETE", "/v1/accessLevels/" + n, null).status()).isEqualTo(404);
    assertThat(portcullis.portcullis().accessLevels().snapshot().get(n)).isEmpty();
  }

  int deleteWithIfMatch(String name, String etag) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(portcullis.adminUrl() + "/v1/accessLevels/" + name))
        .header("authorization", "Bearer " + portcullis.adminToken())
        .header("if-match", etag)
        .DELETE().build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void validate_answersValid() {
    AdminResponse r = call("POST", "/v1/conditions:validate",
        new JsonObject().put("expression", "'accessLevels/corp' in request.auth.access_levels"));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(new JsonObject().put("valid", true));
  }

  @Test
  void validate_answersTheErrorWithLineAndColumn() {
    AdminResponse r = call("POST", "/v1/conditions:validate",
        new JsonObject().put("expression", "request.path == '/'\n&& request.tiem > timestamp('2026-01-01T00:00:00Z')"));

    assertThat(r.status()).isEqualTo(400);
    JsonObject error = r.body().getJsonObject("error");
    assertThat(error.getString("message")).startsWith("line 2, column 4: undeclared reference to 'request.tiem'");
    assertThat(violations(r).getJsonObject(0).getString("field")).isEqualTo("expression");
    JsonObject info = error.getJsonArray("details").getJsonObject(1);
    assertThat(info.getString("reason")).isEqualTo("INVALID_EXPRESSION");
    assertThat(info.getJsonObject("metadata")).isEqualTo(new JsonObject().put("line", "2").put("column", "4"));
  }

  @Test
  void validate_refusesABodyWithoutAnExpression() {
    AdminResponse r = call("POST", "/v1/conditions:validate", new JsonObject().put("expr", "true"));

    assertThat(r.status()).isEqualTo(400);
    assertThat(violations(r).getJsonObject(0).getString("field")).isEqualTo("expression");
  }

  @Test
  void validate_isOnlyThatExactPath() {
    assertThat(call("POST", "/v1/conditionsXvalidate", new JsonObject().put("expression", "true")).status())
        .isEqualTo(404);
  }
}
