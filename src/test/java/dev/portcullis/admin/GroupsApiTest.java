package dev.portcullis.admin;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** /v1/groups end to end against a real Portcullis; the snapshot the decision engine reads is checked after each answer. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupsApiTest {
  TestPortcullis portcullis;
  final AtomicInteger names = new AtomicInteger();
  final HttpClient http = HttpClient.newHttpClient();

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

  String email(String prefix) {
    return prefix + "-" + names.incrementAndGet() + "@example.com";
  }

  record Raw(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String message() {
      return json().getJsonObject("error").getString("message");
    }

    List<String> fields() {
      JsonArray details = json().getJsonObject("error").getJsonArray("details");
      assertThat(details).as(body).isNotNull();
      return details.getJsonObject(0).getJsonArray("fieldViolations").stream()
          .map(v -> ((JsonObject) v).getString("field")).toList();
    }
  }

  Raw call(String method, String path, JsonObject body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(portcullis.adminUrl() + path))
        .header("authorization", "Bearer " + portcullis.adminToken())
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      b.header("content-type", "application/json");
    }
    headers.forEach(b::header);
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Raw(r.statusCode(), r.body());
  }

  Raw call(String method, String path, JsonObject body) throws Exception {
    return call(method, path, body, Map.of());
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String group(String email) {
    return "/v1/groups/" + enc(email);
  }

  String createGroup(String prefix) throws Exception {
    String email = email(prefix);
    Raw r = call("POST", "/v1/groups", new JsonObject().put("email", email));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return email;
  }

  Raw addMember(String group, String member) throws Exception {
    return call("POST", group(group) + "/members", new JsonObject().put("member", member));
  }

  List<String> groupsOf(String member) {
    return List.copyOf(portcullis.portcullis().directory().snapshot().groupsOf(member));
  }

  @Test
  void create_get_list_update_delete() throws Exception {
    String email = email("Eng");

    Raw created = call("POST", "/v1/groups", new JsonObject().put("email", email.toUpperCase())
        .put("displayName", "Engineering").put("description", "Everyone who builds"));

    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String lower = email.toLowerCase();
    assertThat(created.json().getString("email")).isEqualTo(lower);
    assertThat(created.json().getString("displayName")).isEqualTo("Engineering");
    assertThat(created.json().getInteger("directMembersCount")).isZero();
    assertThat(created.json().getString("etag")).isEqualTo("v1");

    Raw got = call("GET", group(email.toUpperCase()), null);
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.json().getString("description")).isEqualTo("Everyone who builds");
    assertThat(call("GET", "/v1/groups", null).json().getJsonArray("groups").stream()
        .map(g -> ((JsonObject) g).getString("email"))).contains(lower);

    Raw patched = call("PATCH", group(lower), new JsonObject().put("displayName", "Eng").putNull("description"),
        Map.of("if-match", "v1"));
    assertThat(patched.status()).as(patched.body()).isEqualTo(200);
    assertThat(patched.json().getString("displayName")).isEqualTo("Eng");
    assertThat(patched.json().containsKey("description")).isFalse();
    assertThat(patched.json().getString("etag")).isEqualTo("v2");

    Raw again = call("POST", "/v1/groups", new JsonObject().put("email", lower));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().getJsonObject("error").getString("status")).isEqualTo("ALREADY_EXISTS");

    Raw deleted = call("DELETE", group(lower), null, Map.of("if-match", "v2"));
    assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
    assertThat(call("GET", group(lower), null).status()).isEqualTo(404);
  }

  @Test
  void members_addTransitiveRemove_andTheSnapshotFollowsBeforeTheAnswer() throws Exception {
    String eng = createGroup("eng");
    String qa = createGroup("qa");
    String ana = email("ana");
    assertThat(addMember(eng, "group:" + qa).status()).isEqualTo(201);

    Raw added = addMember(qa, "user:" + ana.toUpperCase());

    assertThat(added.status()).as(added.body()).isEqualTo(201);
    assertThat(added.json().getString("member")).isEqualTo("user:" + ana);
    assertThat(groupsOf("user:" + ana)).containsExactlyInAnyOrder(eng, qa);

    Raw direct = call("GET", group(eng) + "/members", null);
    assertThat(direct.json().getJsonArray("members")).containsExactly(
        new JsonObject().put("member", "group:" + qa).put("type", "group").put("direct", true));
    Raw transitive = call("GET", group(eng) + "/members?transitive=true", null);
    assertThat(transitive.json().getJsonArray("members")).containsExactly(
        new JsonObject().put("member", "group:" + qa).put("type", "group").put("direct", true),
        new JsonObject().put("member", "user:" + ana).put("type", "user").put("direct", false)
            .put("via", new JsonArray().add("group:" + qa)));

    Raw removed = call("DELETE", group(qa) + "/members/" + enc("user:" + ana), null);

    assertThat(removed.status()).as(removed.body()).isEqualTo(200);
    assertThat(groupsOf("user:" + ana)).isEmpty();
    assertThat(call("GET", group(qa) + "/members", null).json().getJsonArray("members")).isEmpty();
    Raw notThere = call("DELETE", group(qa) + "/members/" + enc("user:" + ana), null);
    assertThat(notThere.status()).isEqualTo(404);
    assertThat(notThere.message()).contains("not a direct member");
  }

  @Test
  void addMember_malformed_is400NamingTheMember() throws Exception {
    String eng = createGroup("strict");

    for (String bad : List.of("user:a@@example.com", "user:ana smith@example.com", "user:ana\u0007@example.com",
        "robot:ana@example.com", "", "ana@example.com", "user:ana@example.com\r\n")) {
      Raw r = addMember(eng, bad);
      assertThat(r.status()).as(bad + ": " + r.body()).isEqualTo(400);
      assertThat(r.fields()).as(bad).containsExactly("member");
      assertThat(r.body()).as(bad).doesNotContain("\u0007");
    }
    Raw twoAt = addMember(eng, "user:a@@example.com");
    assertThat(twoAt.message()).contains("'user:a@@example.com'").contains("more than one '@'");
    assertThat(addMember(eng, "robot:ana@example.com").message()).contains("unknown kind 'robot:'");
    assertThat(call("POST", group(eng) + "/members", new JsonObject().put("member", 7)).fields()).containsExactly("member");
    assertThat(call("POST", group(eng) + "/members", new JsonObject()).fields()).containsExactly("member");

    Raw inPath = call("DELETE", group(eng) + "/members/" + enc("user:a b@example.com"), null);
    assertThat(inPath.status()).isEqualTo(400);
    assertThat(inPath.fields()).containsExactly("member");
    assertThat(call("GET", group(eng) + "/members", null).json().getJsonArray("members")).isEmpty();
  }

  @Test
  void addMember_aCycle_is400NamingThePath_andNothingChanges() throws Exception {
    String a = createGroup("a");
    String b = createGroup("b");
    assertThat(addMember(a, "group:" + b).status()).isEqualTo(201);

    Raw r = addMember(b, "group:" + a);

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.fields()).containsExactly("member");
    assertThat(r.body()).contains("group:" + b + " → group:" + a + " → group:" + b);
    assertThat(call("GET", group(b) + "/members", null).json().getJsonArray("members")).isEmpty();
  }

  @Test
  void staleEtag_is409_andNothingChanges() throws Exception {
    String eng = createGroup("etag");
    assertThat(addMember(eng, "user:first@example.com").status()).isEqualTo(201);

    Raw patch = call("PATCH", group(eng), new JsonObject().put("displayName", "X").put("etag", "v1"));
    Raw add = call("POST", group(eng) + "/members", new JsonObject().put("member", "user:late@example.com")
        .put("etag", "v1"));
    Raw remove = call("DELETE", group(eng) + "/members/" + enc("user:first@example.com"), null, Map.of("if-match", "v1"));
    Raw delete = call("DELETE", group(eng), null, Map.of("if-match", "\"v1\""));

    for (Raw r : List.of(patch, add, remove, delete)) {
      assertThat(r.status()).as(r.body()).isEqualTo(409);
      assertThat(r.message()).contains("etag");
    }
    Raw now = call("GET", group(eng), null);
    assertThat(now.json().getString("etag")).isEqualTo("v2");
    assertThat(now.json().containsKey("displayName")).isFalse();
    assertThat(groupsOf("user:first@example.com")).contains(eng);
    assertThat(groupsOf("user:late@example.com")).doesNotContain(eng);
    assertThat(call("DELETE", group(eng), null, Map.of("if-match", "nonsense")).fields()).containsExactly("etag");
  }

  @Test
  void unknownGroup_is404_andAMalformedOne400() throws Exception {
    String ghost = email("ghost");

    assertThat(call("GET", group(ghost), null).status()).isEqualTo(404);
    assertThat(call("GET", group(ghost) + "/members", null).status()).isEqualTo(404);
    assertThat(addMember(ghost, "user:ana@example.com").status()).isEqualTo(404);
    assertThat(call("PATCH", group(ghost), new JsonObject().put("displayName", "X")).status()).isEqualTo(404);
    assertThat(call("DELETE", group(ghost), null).status()).isEqualTo(404);
    Raw missingMember = addMember(createGroup("real"), "group:" + ghost);
    assertThat(missingMember.status()).isEqualTo(400);
    assertThat(missingMember.message()).contains("there is no group " + ghost);

    Raw malformed = call("GET", group("not an email"), null);
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.fields()).containsExactly("email");
  }

  @Test
  void create_refusals_nameTheirFields() throws Exception {
    Raw r = call("POST", "/v1/groups", new JsonObject().put("email", "a@@b.com").put("displayName", 3)
        .put("owner", "me"));

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.fields()).containsExactlyInAnyOrder("owner", "displayName", "email");
    Raw email = call("POST", "/v1/groups", new JsonObject().put("email", "a@@b.com"));
    assertThat(email.fields()).containsExactly("email");
    assertThat(call("POST", "/v1/groups", new JsonObject()).fields()).containsExactly("email");
    assertThat(call("POST", "/v1/groups", new JsonObject().put("email", "group:eng@example.com")).body())
        .contains("without 'group:'");
    assertThat(call("GET", "/v1/groups/x%40example.com/members?transitive=yes", null).fields())
        .containsExactly("transitive");
  }
}
