package dev.portcullis.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.TestPortcullis.AdminResponse;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The admin API end to end: a real Portcullis, real upstreams, requests through the proxy port. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServicesApiTest {
  Upstreams upstreams;
  TestPortcullis portcullis;
  HttpClient client;
  String upstream;
  final AtomicInteger names = new AtomicInteger();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    upstream = upstreams.http(req -> req.response().putHeader("content-type", "text/plain").end("upstream one"));
    portcullis = TestPortcullis.start(dir);
    client = upstreams.vertx().createHttpClient();
  }

  @AfterAll
  void stop() throws Exception {
    if (portcullis != null) {
      portcullis.close();
    }
    upstreams.close();
  }

  /** A fresh service name per use, so tests sharing one Portcullis never see each other's services. */
  String name(String prefix) {
    return prefix + "-" + names.incrementAndGet();
  }

  record Answer(int status, String body) {}

  /** One request through the gateway, over a plain socket (no client-side connection reuse to go stale). */
  Answer through(TestPortcullis p, String service, String path) throws Exception {
    dev.portcullis.testing.RawHttp.Reply r = dev.portcullis.testing.RawHttp.send(p.port(), "GET " + path + " HTTP/1.1",
        "Host: " + p.hostOf(service), "Connection: close");
    return new Answer(r.status(), r.bodyText());
  }

  static JsonArray violations(AdminResponse r) {
    JsonArray details = r.body().getJsonObject("error").getJsonArray("details");
    assertThat(details).as("error details in %s", r.body()).isNotNull().hasSize(1);
    assertThat(details.getJsonObject(0).getString("@type")).isEqualTo("type.googleapis.com/google.rpc.BadRequest");
    return details.getJsonObject(0).getJsonArray("fieldViolations");
  }

  static List<String> fields(AdminResponse r) {
    return violations(r).stream().map(v -> ((JsonObject) v).getString("field")).toList();
  }

  @Test
  void roundTrip_createListGetUpdateDelete() {
    String n = name("trip");
    AdminResponse created = portcullis.admin("POST", "/v1/services", new JsonObject()
        .put("name", n).put("upstream", upstream).put("hosts", new JsonArray().add("Trip.Example.COM."))
        .put("timeouts", new JsonObject().put("connect", "500ms").put("response", "30s")));
    assertThat(created.status()).as(created.body().encode()).isEqualTo(201);
    JsonObject s = created.body();
    assertThat(s.getString("name")).isEqualTo(n);
    assertThat(s.getString("project")).isEqualTo("default");
    assertThat(s.getString("upstream")).isEqualTo(upstream);
    assertThat(s.getJsonArray("hosts")).containsExactly("trip.example.com");
    assertThat(s.getBoolean("iap")).isFalse();
    assertThat(s.getString("ingress")).isEqualTo("all");
    assertThat(s.getJsonObject("timeouts").getMap()).isEqualTo(Map.of("connect", "0.5s", "response", "30s"));
    assertThat(s.getString("etag")).isEqualTo("v1");
    assertThat(s.getString("url")).isEqualTo("http://" + n + ".localhost:" + portcullis.port() + "/");
    assertThat(s.getString("createTime")).isEqualTo(s.getString("updateTime"));

    AdminResponse list = portcullis.admin("GET", "/v1/services", null);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.body().getJsonArray("services").stream().map(o -> ((JsonObject) o).getString("name")))
        .contains(n);

    AdminResponse got = portcullis.admin("GET", "/v1/services/" + n, null);
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.body()).isEqualTo(s);

    AdminResponse updated = portcullis.admin("PATCH", "/v1/services/" + n, new JsonObject()
        .put("etag", "v1").put("ingress", "internal").put("timeouts", new JsonObject().put("connect", null)));
    assertThat(updated.status()).as(updated.body().encode()).isEqualTo(200);
    assertThat(updated.body().getString("etag")).isEqualTo("v2");
    assertThat(updated.body().getString("ingress")).isEqualTo("internal");
    assertThat(updated.body().getJsonObject("timeouts").getMap()).isEqualTo(Map.of("response", "30s"));
    assertThat(updated.body().getJsonArray("hosts")).containsExactly("trip.example.com");
    assertThat(updated.body().getString("upstream")).isEqualTo(upstream);
    assertThat(updated.body().getString("createTime")).isEqualTo(s.getString("createTime"));
    assertThat(portcullis.admin("GET", "/v1/services/" + n, null).body()).isEqualTo(updated.body());

    AdminResponse deleted = portcullis.admin("DELETE", "/v1/services/" + n, null);
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(deleted.body().getString("name")).isEqualTo(n);
    assertThat(portcullis.admin("GET", "/v1/services/" + n, null).status()).isEqualTo(404);
  }

  static Stream<Arguments> badCreates() {
    JsonObject ok = new JsonObject().put("upstream", "http://127.0.0.1:9");
    return Stream.of(
        Arguments.of("name not a DNS label", ok.copy().put("name", "Bad_Name"), "name"),
        Arguments.of("name ending in -", ok.copy().put("name", "bad-"), "name"),
        Arguments.of("name missing", ok.copy(), "name"),
        Arguments.of("reserved name auth", ok.copy().put("name", "auth"), "name"),
        Arguments.of("upstream ftp", new JsonObject().put("name", "a1").put("upstream", "ftp://127.0.0.1:21"), "upstream"),
        Arguments.of("upstream with path", new JsonObject().put("name", "a2").put("upstream", "http://127.0.0.1:9/app"), "upstream"),
        Arguments.of("upstream missing", new JsonObject().put("name", "a3"), "upstream"),
        Arguments.of("upstream not a string", new JsonObject().put("name", "a4").put("upstream", 80), "upstream"),
        Arguments.of("project bad", ok.copy().put("name", "a5").put("project", "Not Valid"), "project"),
        Arguments.of("host bad", ok.copy().put("name", "a6").put("hosts", new JsonArray().add("ok.example.com").add("bad host")), "hosts[1]"),
        Arguments.of("host with port", ok.copy().put("name", "a7").put("hosts", new JsonArray().add("x.example.com:8080")), "hosts[0]"),
        Arguments.of("hosts not a list", ok.copy().put("name", "a8").put("hosts", "x.example.com"), "hosts"),
        Arguments.of("ingress bad", ok.copy().put("name", "a9").put("ingress", "everyone"), "ingress"),
        Arguments.of("iap not boolean", ok.copy().put("name", "a10").put("iap", "yes"), "iap"),
        Arguments.of("timeout not a duration", ok.copy().put("name", "a11").put("timeouts", new JsonObject().put("connect", "3x")), "timeouts.connect"),
        Arguments.of("timeout zero", ok.copy().put("name", "a12").put("timeouts", new JsonObject().put("response", "0s")), "timeouts.response"),
        Arguments.of("timeout too long", ok.copy().put("name", "a13").put("timeouts", new JsonObject().put("idle", "25h")), "timeouts.idle"),
        Arguments.of("unknown timeout", ok.copy().put("name", "a14").put("timeouts", new JsonObject().put("read", "5s")), "timeouts.read"),
        Arguments.of("unknown field", ok.copy().put("name", "a15").put("upstreams", "http://127.0.0.1:9"), "upstreams"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCreates")
  void create_refusesBadField_with400NamingIt(String what, JsonObject body, String field) {
    AdminResponse r = portcullis.admin("POST", "/v1/services", body);

    assertThat(r.status()).as(r.body().encode()).isEqualTo(400);
    assertThat(r.body().getJsonObject("error").getString("status")).isEqualTo("INVALID_ARGUMENT");
    assertThat(fields(r)).contains(field);
    assertThat(r.body().getJsonObject("error").getString("message")).contains(field);
    if (body.getString("name") != null && !field.equals("name")) {
      assertThat(portcullis.admin("GET", "/v1/services/" + body.getString("name"), null).status()).isEqualTo(404);
    }
  }

  @Test
  void create_namesEveryBadFieldInOneAnswer() {
    AdminResponse r = portcullis.admin("POST", "/v1/services", new JsonObject().put("name", "many")
        .put("upstream", "ftp://x/y").put("hosts", new JsonArray().add("a b")).put("ingress", "nope")
        .put("timeouts", new JsonObject().put("connect", "3x")));

    assertThat(r.status()).isEqualTo(400);
    assertThat(fields(r)).containsExactlyInAnyOrder("upstream", "hosts[0]", "ingress", "timeouts.connect");
  }

  @Test
  void create_refusesHostUsedByAnotherService() {
    String owner = name("owner");
    portcullis.createService(owner, upstream, new JsonObject().put("hosts", new JsonArray().add(owner + ".example.com")));
    String other = name("other");

    AdminResponse r = portcullis.admin("POST", "/v1/services", new JsonObject().put("name", other)
        .put("upstream", upstream).put("hosts", new JsonArray().add(owner + ".example.com")));
    assertThat(r.status()).isEqualTo(400);
    assertThat(fields(r)).containsExactly("hosts[0]");
    assertThat(violations(r).getJsonObject(0).getString("description")).contains(owner);

    AdminResponse primary = portcullis.admin("POST", "/v1/services", new JsonObject().put("name", other)
        .put("upstream", upstream).put("hosts", new JsonArray().add(owner + ".localhost")));
    assertThat(primary.status()).isEqualTo(400);
    assertThat(fields(primary)).containsExactly("hosts[0]");
    assertThat(portcullis.admin("GET", "/v1/services/" + other, null).status()).isEqualTo(404);
  }

  @Test
  void create_refusesBodyThatIsNotAJsonObject() throws Exception {
    for (String body : List.of("name=x&upstream=http://127.0.0.1:9", "[1, 2]", "", "{\"name\": ")) {
      HttpResponse<String> r = raw("POST", "/v1/services", body, portcullis.adminToken());
      assertThat(r.statusCode()).as("body %s", body).isEqualTo(400);
      JsonObject error = new JsonObject(r.body()).getJsonObject("error");
      assertThat(error.getString("status")).isEqualTo("INVALID_ARGUMENT");
      assertThat(error.getString("message")).contains("JSON").doesNotContain("class io.vertx");
    }
  }

  @Test
  void create_ofExistingName_conflictsAndWritesNothing() {
    String n = name("dup");
    portcullis.createService(n, upstream);

    AdminResponse again = portcullis.admin("POST", "/v1/services",
        new JsonObject().put("name", n).put("upstream", "http://127.0.0.1:1").put("iap", true));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().getJsonObject("error").getString("status")).isEqualTo("ABORTED");
    assertThat(again.body().getJsonObject("error").getString("message")).contains(n).contains("exists");

    JsonObject current = portcullis.admin("GET", "/v1/services/" + n, null).body();
    assertThat(current.getString("upstream")).isEqualTo(upstream);
    assertThat(current.getBoolean("iap")).isFalse();
    assertThat(current.getString("etag")).isEqualTo("v1");
  }

  @Test
  void update_withStaleEtag_conflictsAndWritesNothing() throws Exception {
    String n = name("stale");
    portcullis.createService(n, upstream);
    assertThat(portcullis.admin("PATCH", "/v1/services/" + n, new JsonObject().put("etag", "v1").put("project", "p2"))
        .status()).isEqualTo(200);

    AdminResponse inBody = portcullis.admin("PATCH", "/v1/services/" + n,
        new JsonObject().put("etag", "v1").put("upstream", "http://127.0.0.1:1"));
    assertThat(inBody.status()).isEqualTo(409);
    assertThat(inBody.body().getJsonObject("error").getString("message")).contains("v2");

    HttpResponse<String> inHeader = raw("PATCH", "/v1/services/" + n, "{\"upstream\": \"http://127.0.0.1:1\"}",
        portcullis.adminToken(), "if-match", "\"v1\"");
    assertThat(inHeader.statusCode()).isEqualTo(409);

    JsonObject current = portcullis.admin("GET", "/v1/services/" + n, null).body();
    assertThat(current.getString("upstream")).isEqualTo(upstream);
    assertThat(current.getString("project")).isEqualTo("p2");
    assertThat(current.getString("etag")).isEqualTo("v2");
    assertThat(through(portcullis, n, "/").body()).isEqualTo("upstream one");
  }

  @Test
  void update_refusesBadFieldsAndWritesNothing() {
    String n = name("badupd");
    portcullis.createService(n, upstream);

    AdminResponse r = portcullis.admin("PATCH", "/v1/services/" + n, new JsonObject()
        .put("upstream", "http://127.0.0.1:9/path").put("name", "renamed").put("etag", "seven"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(fields(r)).contains("etag");

    AdminResponse fieldsBad = portcullis.admin("PATCH", "/v1/services/" + n, new JsonObject()
        .put("upstream", "http://127.0.0.1:9/path").put("name", "renamed"));
    assertThat(fieldsBad.status()).isEqualTo(400);
    assertThat(fields(fieldsBad)).containsExactlyInAnyOrder("upstream", "name");
    assertThat(portcullis.admin("GET", "/v1/services/" + n, null).body().getString("etag")).isEqualTo("v1");
  }

  @Test
  void update_withoutEtag_changesOnlyTheGivenFields() {
    String n = name("partial");
    portcullis.createService(n, upstream, new JsonObject().put("hosts", new JsonArray().add(n + ".example.org"))
        .put("timeouts", new JsonObject().put("idle", "90s")));

    AdminResponse r = portcullis.admin("PATCH", "/v1/services/" + n, new JsonObject().put("iap", true));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().getBoolean("iap")).isTrue();
    assertThat(r.body().getJsonArray("hosts")).containsExactly(n + ".example.org");
    assertThat(r.body().getJsonObject("timeouts").getMap()).isEqualTo(Map.of("idle", "90s"));
    assertThat(r.body().getString("upstream")).isEqualTo(upstream);
  }

  @Test
  void update_withoutEtag_neverWritesBackAConcurrentChangesOldValues() throws Exception {
    String n = name("race");
    portcullis.createService(n, upstream);
    int writes = 20;
    java.util.Map<Long, JsonObject> byVersion = new java.util.concurrent.ConcurrentHashMap<>();
    Runnable projects = () -> {
      for (int i = 1; i <= writes; i++) {
        AdminResponse r = portcullis.admin("PATCH", "/v1/services/" + n, new JsonObject().put("project", "p" + i));
        assertThat(r.status()).as(r.body().encode()).isEqualTo(200);
        byVersion.put(Long.parseLong(r.body().getString("etag").substring(1)), r.body());
      }
    };
    Runnable timeouts = () -> {
      for (int i = 1; i <= writes; i++) {
        AdminResponse r = portcullis.admin("PATCH", "/v1/services/" + n,
            new JsonObject().put("timeouts", new JsonObject().put("idle", i + "s")));
        assertThat(r.status()).as(r.body().encode()).isEqualTo(200);
        byVersion.put(Long.parseLong(r.body().getString("etag").substring(1)), r.body());
      }
    };
    java.util.concurrent.CompletableFuture.allOf(
        java.util.concurrent.CompletableFuture.runAsync(projects),
        java.util.concurrent.CompletableFuture.runAsync(timeouts)).get(60, TimeUnit.SECONDS);

    // Each writer's own field only moves forward, version after version: a write computed from a stale
    // read would carry the other writer's field back to an older value.
    assertThat(byVersion).hasSize(2 * writes);
    int lastProject = 0;
    int lastIdle = 0;
    for (long v = 2; v <= 2 * writes + 1; v++) {
      JsonObject s = byVersion.get(v);
      int project = s.getString("project").equals("default") ? 0 : Integer.parseInt(s.getString("project").substring(1));
      String idle = s.getJsonObject("timeouts").getString("idle");
      int idleSeconds = idle == null ? 0 : Integer.parseInt(idle.replace("s", ""));
      assertThat(project).as("project at v%d", v).isGreaterThanOrEqualTo(lastProject);
      assertThat(idleSeconds).as("idle timeout at v%d", v).isGreaterThanOrEqualTo(lastIdle);
      lastProject = project;
      lastIdle = idleSeconds;
    }
    assertThat(lastProject).isEqualTo(writes);
    assertThat(lastIdle).isEqualTo(writes);
  }

  @Test
  void delete_withStaleEtag_conflictsAndKeepsTheService() throws Exception {
    String n = name("keep");
    portcullis.createService(n, upstream);
    portcullis.admin("PATCH", "/v1/services/" + n, new JsonObject().put("ingress", "all"));

    HttpResponse<String> r = raw("DELETE", "/v1/services/" + n, null, portcullis.adminToken(), "if-match", "v1");
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(portcullis.admin("GET", "/v1/services/" + n, null).status()).isEqualTo(200);
    assertThat(through(portcullis, n, "/").status()).isEqualTo(200);

    HttpResponse<String> current = raw("DELETE", "/v1/services/" + n, null, portcullis.adminToken(), "if-match", "v2");
    assertThat(current.statusCode()).isEqualTo(200);
  }

  @Test
  void api_refusesMissingOrWrongToken() throws Exception {
    String n = name("noauth");
    String body = new JsonObject().put("name", n).put("upstream", upstream).encode();
    for (String token : new String[] {null, "wrong", portcullis.adminToken() + "x", ""}) {
      HttpResponse<String> list = raw("GET", "/v1/services", null, token);
      assertThat(list.statusCode()).as("token %s", token).isEqualTo(401);
      assertThat(list.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
      assertThat(new JsonObject(list.body()).getJsonObject("error").getString("status")).isEqualTo("UNAUTHENTICATED");
      assertThat(raw("POST", "/v1/services", body, token).statusCode()).isEqualTo(401);
    }
    assertThat(portcullis.admin("GET", "/v1/services/" + n, null).status()).isEqualTo(404);
  }

  @Test
  void unknownService_is404ForGetUpdateAndDelete() {
    for (String method : List.of("GET", "PATCH", "DELETE")) {
      AdminResponse r = portcullis.admin(method, "/v1/services/nosuch",
          method.equals("PATCH") ? new JsonObject().put("iap", true) : null);
      assertThat(r.status()).as(method).isEqualTo(404);
      assertThat(r.body().getJsonObject("error").getString("status")).isEqualTo("NOT_FOUND");
      assertThat(r.body().getJsonObject("error").getString("message")).contains("nosuch");
    }
  }

  @Test
  void healthAndReadiness_answerWithoutToken() throws Exception {
    HttpResponse<String> health = raw("GET", "/healthz", null, null);
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(health.body()).getString("status")).isEqualTo("ok");

    HttpResponse<String> ready = raw("GET", "/readyz", null, null);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(ready.body()).getString("store")).isEqualTo("ok");
    assertThat(new JsonObject(ready.body()).getString("status")).isEqualTo("ready");
  }

  @Test
  void metrics_countProxiedRequestsByServiceAndCode() throws Exception {
    String n = name("metered");
    String missing = upstreams.http(req -> req.response().setStatusCode(404).end("nope"));
    portcullis.createService(n, missing);
    assertThat(through(portcullis, n, "/a").status()).isEqualTo(404);
    assertThat(through(portcullis, n, "/b").status()).isEqualTo(404);

    String requests = "portcullis_requests_total{code=\"404\",service=\"" + n + "\"} 2.0";
    String latency = "portcullis_upstream_latency_seconds_count{service=\"" + n + "\"} 2";
    String scraped = "";
    for (long deadline = System.nanoTime() + 5_000_000_000L; System.nanoTime() < deadline; Thread.sleep(20)) {
      HttpResponse<String> metrics = raw("GET", "/metrics", null, null);
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      scraped = metrics.body();
      if (scraped.contains(requests) && scraped.contains(latency)) {
        break;
      }
    }
    assertThat(scraped).contains(requests).contains(latency);
  }

  @Test
  void changes_areInForceOnTheProxyAsSoonAsTheApiAnswers() throws Exception {
    String n = name("instant");
    String other = upstreams.http(req -> req.response().end("upstream two"));
    assertThat(through(portcullis, n, "/").status()).isEqualTo(404);

    portcullis.createService(n, upstream);
    assertThat(through(portcullis, n, "/")).isEqualTo(new Answer(200, "upstream one"));

    portcullis.admin("PATCH", "/v1/services/" + n, new JsonObject().put("upstream", other));
    assertThat(through(portcullis, n, "/")).isEqualTo(new Answer(200, "upstream two"));

    portcullis.admin("PATCH", "/v1/services/" + n, new JsonObject().put("hosts", new JsonArray().add(n + ".example.net")));
    Answer byExtraHost = dev.portcullis.testing.Clients.run(upstreams.vertx(), () -> client.request(new RequestOptions()
            .setHost("127.0.0.1").setPort(portcullis.port()).setURI("/").putHeader("host", n + ".example.net"))
        .compose(r -> r.send()).compose(r -> r.body().map(b -> new Answer(r.statusCode(), b.toString()))));
    assertThat(byExtraHost).isEqualTo(new Answer(200, "upstream two"));

    assertThat(portcullis.admin("DELETE", "/v1/services/" + n, null).status()).isEqualTo(200);
    assertThat(through(portcullis, n, "/").status()).isEqualTo(404);
  }

  @Test
  void services_surviveARestart(@TempDir Path own) throws Exception {
    JsonObject before;
    try (TestPortcullis first = TestPortcullis.start(own)) {
      first.createService("kept", upstream, new JsonObject().put("hosts", new JsonArray().add("kept.example.com"))
          .put("iap", false).put("ingress", "internal").put("project", "team-a")
          .put("timeouts", new JsonObject().put("connect", "2s")));
      first.admin("PATCH", "/v1/services/kept", new JsonObject().put("timeouts", new JsonObject().put("idle", "1m")));
      first.createService("gone", upstream);
      first.admin("DELETE", "/v1/services/gone", null);
      before = first.admin("GET", "/v1/services/kept", null).body();
    }
    try (TestPortcullis second = TestPortcullis.start(own)) {
      JsonObject after = second.admin("GET", "/v1/services/kept", null).body();
      before.remove("url");
      after.remove("url");
      assertThat(after).isEqualTo(before);
      assertThat(after.getString("etag")).isEqualTo("v2");
      assertThat(second.admin("GET", "/v1/services/gone", null).status()).isEqualTo(404);
      assertThat(through(second, "kept", "/")).isEqualTo(new Answer(200, "upstream one"));
    }
  }

  private HttpResponse<String> raw(String method, String path, String body, String token, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(portcullis.adminUrl() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("content-type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return java.net.http.HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
