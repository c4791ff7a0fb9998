package dev.portcullis.iam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.Portcullis;
import dev.portcullis.authn.User;
import dev.portcullis.session.Sessions;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * IAM decides every request to an IAP service, end to end: real policies through the admin API, real
 * sessions, requests through the gateway. Each test uses its own services so policies do not mix.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IamGatewayTest {
  static final String ACCESSOR = PredefinedRoles.ACCESSOR;

  Upstreams upstreams;
  TestPortcullis portcullis;
  String upstream;
  final AtomicInteger ids = new AtomicInteger();
  final Map<String, String> cookies = new HashMap<>();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    upstream = upstreams.http(req -> req.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("path", req.path())
            .put("email", req.getHeader("x-portcullis-user-email")).encode()));
    portcullis = TestPortcullis.start(dir.resolve("data"));
  }

  @AfterAll
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
  }

  /** A fresh IAP service in a project; its name is unique to the test. */
  String service(String project) {
    String name = "svc-" + ids.incrementAndGet();
    portcullis.createService(name, upstream, new JsonObject().put("iap", true).put("project", project));
    return name;
  }

  User account(String email) {
    var accounts = portcullis.portcullis().accounts().orElseThrow();
    return portcullis.portcullis().users().findLocal(email)
        .orElseGet(() -> accounts.create(email, Optional.empty(), "a long enough password"));
  }

  /** The host-session cookie for this person on this service (signed in without a browser). */
  String cookie(String email, String service) {
    return cookies.computeIfAbsent(email + " " + service, k -> {
      Sessions sessions = portcullis.portcullis().sessions();
      Sessions.Created central = sessions.createCentral(account(email).identity(),
          portcullis.portcullis().settings().authHost(), null, "127.0.0.1", "test");
      return sessions.createForHost(central.session(), service + ".localhost", "127.0.0.1", "test")
          .orElseThrow().cookieValue();
    });
  }

  RawHttp.Reply get(String email, String service, String path, String accept) throws Exception {
    String cookieLine = email == null ? "X-No-Cookie: 1" : "Cookie: portcullis=" + cookie(email, service);
    return RawHttp.send(portcullis.port(), "GET " + path + " HTTP/1.1", "Host: " + portcullis.hostOf(service),
        "Accept: " + accept, cookieLine, "Connection: close");
  }

  int status(String email, String service) throws Exception {
    return get(email, service, "/", "application/json").status();
  }

  JsonObject setPolicy(String resource, JsonObject policy) {
    TestPortcullis.AdminResponse r = portcullis.admin("POST", "/v1/" + resource + ":setIamPolicy",
        new JsonObject().put("policy", policy));
    assertThat(r.status()).as(r.body().encode()).isEqualTo(200);
    return r.body();
  }

  static JsonObject binding(String role, String... members) {
    return new JsonObject().put("role", role).put("members", new JsonArray(List.of(members)));
  }

  @Test
  void noBinding_signedInGets403_anonymousGets401() throws Exception {
    String s = service("p-none");
    assertThat(status("ana@example.com", s)).isEqualTo(403);
    assertThat(status(null, s)).isEqualTo(401);
  }

  @Test
  void userMember_onTheService_letsOnlyThatUserIn_caseInsensitively() throws Exception {
    String s = service("p-user");
    portcullis.grant("projects/p-user/services/" + s, ACCESSOR, "user:Ana@Example.COM");
    assertThat(status("ana@example.com", s)).isEqualTo(200);
    assertThat(status("bob@example.com", s)).isEqualTo(403);
    assertThat(status(null, s)).isEqualTo(401);
  }

  @Test
  void domainMember_matchesTheEmailDomainExactly() throws Exception {
    String s = service("p-domain");
    portcullis.grant("projects/p-domain", ACCESSOR, "domain:example.com");
    assertThat(status("ana@example.com", s)).isEqualTo(200);
    assertThat(status("bob@example.com", s)).isEqualTo(200);
    assertThat(status("eve@evilexample.com", s)).isEqualTo(403);
    assertThat(status("eve@sub.example.com", s)).isEqualTo(403);
  }

  @Test
  void allAuthenticatedUsers_letsEverySignedInPersonIn_butNotAnonymous() throws Exception {
    String s = service("p-allauth");
    portcullis.grant("projects/p-allauth", ACCESSOR, "allAuthenticatedUsers");
    assertThat(status("eve@other.test", s)).isEqualTo(200);
    assertThat(status(null, s)).isEqualTo(401);
  }

  @Test
  void allUsers_letsAnonymousCallersThrough_withoutIdentity() throws Exception {
    String s = service("p-public");
    portcullis.grant("projects/p-public/services/" + s, ACCESSOR, "allUsers");
    RawHttp.Reply anonymous = get(null, s, "/open", "application/json");
    assertThat(anonymous.status()).isEqualTo(200);
    assertThat(anonymous.json().getString("email")).isNull();
    assertThat(status("ana@example.com", s)).isEqualTo(200);
  }

  @Test
  void projectBinding_reachesAServiceCreatedAfterwards() throws Exception {
    portcullis.grant("projects/qa", ACCESSOR, "user:tess@example.com");
    String branch = service("qa");
    assertThat(status("tess@example.com", branch)).isEqualTo(200);
    assertThat(status("ana@example.com", branch)).isEqualTo(403);
    String elsewhere = service("prod");
    assertThat(status("tess@example.com", elsewhere)).isEqualTo(403);
  }

  @Test
  void organizationBinding_reachesEveryProject() throws Exception {
    String a = service("org-a");
    String b = service("org-b");
    portcullis.grant("organization", ACCESSOR, "user:olga@example.com");
    assertThat(status("olga@example.com", a)).isEqualTo(200);
    assertThat(status("olga@example.com", b)).isEqualTo(200);
  }

  @Test
  void deletingAService_dropsItsPolicy_soANewServiceOfTheSameNameStartsBare() throws Exception {
    String s = service("p-del");
    portcullis.grant("projects/p-del/services/" + s, ACCESSOR, "user:dan@example.com");
    assertThat(status("dan@example.com", s)).isEqualTo(200);
    assertThat(portcullis.admin("DELETE", "/v1/services/" + s, null).status()).isEqualTo(200);
    portcullis.createService(s, upstream, new JsonObject().put("iap", true).put("project", "p-del"));
    assertThat(status("dan@example.com", s)).isEqualTo(403);
  }

  @Test
  void adminRoles_doNotReachTheApps() throws Exception {
    String s = service("p-admins");
    portcullis.grant("projects/p-admins", PredefinedRoles.IAP_ADMIN, "user:ida@example.com");
    portcullis.grant("projects/p-admins", PredefinedRoles.ADMIN, "user:ida@example.com");
    portcullis.grant("projects/p-admins", PredefinedRoles.VIEWER, "user:ida@example.com");
    assertThat(status("ida@example.com", s)).isEqualTo(403);
  }

  @Test
  void customRole_grantsExactlyItsPermissions() throws Exception {
    assertThat(portcullis.admin("POST", "/v1/customRoles", new JsonObject().put("roleId", "appUser")
        .put("title", "App user").put("includedPermissions", new JsonArray().add(Permissions.ACCESS))).status())
        .isEqualTo(201);
    assertThat(portcullis.admin("POST", "/v1/customRoles", new JsonObject().put("roleId", "lister")
        .put("title", "Lister").put("includedPermissions", new JsonArray().add(Permissions.SERVICES_LIST))).status())
        .isEqualTo(201);
    String s = service("p-custom");
    portcullis.grant("projects/p-custom", "customRoles/appUser", "user:cara@example.com");
    portcullis.grant("projects/p-custom", "customRoles/lister", "user:lou@example.com");
    assertThat(status("cara@example.com", s)).isEqualTo(200);
    assertThat(status("lou@example.com", s)).isEqualTo(403);

    TestPortcullis.AdminResponse inUse = portcullis.admin("DELETE", "/v1/customRoles/appUser", null);
    assertThat(inUse.status()).isEqualTo(409);
    assertThat(inUse.body().getJsonObject("error").getString("message")).contains("projects/p-custom");
  }

  @ParameterizedTest
  @ValueSource(strings = {"user:a@@example.com", "user:a b@example.com", "user: ana@example.com",
      "user:ana\u0001@example.com", "ana@example.com", "group:", "domain:localhost", "serviceaccount:x@example.com",
      "user:ana@", "user:@example.com", "allusers", "domain:exa mple.com"})
  void malformedMember_is400NamingIt_andNothingIsWritten(String member) {
    String resource = "projects/p-malformed";
    String before = portcullis.admin("POST", "/v1/" + resource + ":getIamPolicy", new JsonObject()).body()
        .getString("etag");
    TestPortcullis.AdminResponse r = portcullis.admin("POST", "/v1/" + resource + ":setIamPolicy",
        new JsonObject().put("policy", new JsonObject().put("bindings", new JsonArray()
            .add(binding(ACCESSOR, "user:fine@example.com"))
            .add(binding(ACCESSOR, member)))));
    assertThat(r.status()).isEqualTo(400);
    JsonObject violation = r.body().getJsonObject("error").getJsonArray("details").getJsonObject(0)
        .getJsonArray("fieldViolations").getJsonObject(0);
    assertThat(violation.getString("field")).isEqualTo("policy.bindings[1].members[0]");
    assertThat(violation.getString("description")).containsIgnoringCase("member");
    assertThat(portcullis.admin("POST", "/v1/" + resource + ":getIamPolicy", new JsonObject()).body()
        .getString("etag")).isEqualTo(before);
  }

  @Test
  void unknownRole_is400NamingTheRole() {
    TestPortcullis.AdminResponse r = portcullis.admin("POST", "/v1/organization:setIamPolicy",
        new JsonObject().put("policy", new JsonObject().put("bindings", new JsonArray()
            .add(binding("roles/iap.httpsResourceAcessor", "user:a@example.com")))));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().encode()).contains("policy.bindings[0].role").contains("roles/iap.httpsResourceAcessor");
  }

  @Test
  void staleEtag_is409_andTheNewerPolicyStays() throws Exception {
    String s = service("p-etag");
    String resource = "projects/p-etag/services/" + s;
    JsonObject read = portcullis.admin("POST", "/v1/" + resource + ":getIamPolicy", new JsonObject()).body();
    JsonObject first = setPolicy(resource, new JsonObject().put("etag", read.getString("etag"))
        .put("bindings", new JsonArray().add(binding(ACCESSOR, "user:first@example.com"))));
    TestPortcullis.AdminResponse second = portcullis.admin("POST", "/v1/" + resource + ":setIamPolicy",
        new JsonObject().put("policy", new JsonObject().put("etag", read.getString("etag"))
            .put("bindings", new JsonArray().add(binding(ACCESSOR, "user:second@example.com")))));
    assertThat(second.status()).isEqualTo(409);
    assertThat(second.body().getJsonObject("error").getString("message")).contains("etag");
    assertThat(status("first@example.com", s)).isEqualTo(200);
    assertThat(status("second@example.com", s)).isEqualTo(403);
    assertThat(first.getString("etag")).isNotEqualTo(read.getString("etag"));
  }

  @Test
  void policyOnAMissingServiceOrTheWrongProject_is404() {
    String s = service("p-right");
    assertThat(portcullis.admin("POST", "/v1/projects/p-right/services/nope:getIamPolicy", new JsonObject()).status())
        .isEqualTo(404);
    TestPortcullis.AdminResponse wrong = portcullis.admin("POST", "/v1/projects/p-wrong/services/" + s
        + ":getIamPolicy", new JsonObject());
    assertThat(wrong.status()).isEqualTo(404);
    assertThat(wrong.body().encode()).contains("projects/p-right/services/" + s);
    assertThat(portcullis.admin("POST", "/v1/projects/Not_A_Label:getIamPolicy", new JsonObject()).status())
        .isEqualTo(400);
  }

  @Test
  void deniedPage_showsWhoAndWhere_withTheAdministratorsMessage_andASwitchAccountLink() throws Exception {
    String s = service("p-denied");
    assertThat(portcullis.admin("PATCH", "/v1/services/" + s, new JsonObject()
        .put("accessDeniedMessage", "Ask <b>#it-help</b> for access.")).status()).isEqualTo(200);
    RawHttp.Reply html = get("nia@example.com", s, "/x", "text/html");
    assertThat(html.status()).isEqualTo(403);
    assertThat(html.header("x-portcullis-generated-response")).isEqualTo("true");
    assertThat(html.bodyText()).contains("nia@example.com").contains(s).contains(html.header("x-request-id"))
        .contains("Ask &lt;b&gt;#it-help&lt;/b&gt; for access.").contains("href=\"/_portcullis/sign_out\"")
        .doesNotContain("<b>#it-help</b>");

    RawHttp.Reply json = get("nia@example.com", s, "/x", "application/json");
    assertThat(json.status()).isEqualTo(403);
    assertThat(json.json().getJsonObject("error").getString("status")).isEqualTo("PERMISSION_DENIED");
    assertThat(json.json().getString("principal")).isEqualTo("nia@example.com");
  }

  @Test
  void accessDeniedPageUri_sendsBrowsersThere_butAnswersFetch403() throws Exception {
    String s = service("p-denied-uri");
    assertThat(portcullis.admin("PATCH", "/v1/services/" + s, new JsonObject()
        .put("accessDeniedPageUri", "https://intranet.example.com/no-access")).status()).isEqualTo(200);
    RawHttp.Reply nav = RawHttp.send(portcullis.port(), "GET /x HTTP/1.1", "Host: " + portcullis.hostOf(s),
        "Accept: text/html", "Sec-Fetch-Mode: navigate", "Cookie: portcullis=" + cookie("nia@example.com", s),
        "Connection: close");
    assertThat(nav.status()).isEqualTo(302);
    assertThat(nav.header("location")).isEqualTo("https://intranet.example.com/no-access");
    assertThat(status("nia@example.com", s)).isEqualTo(403);
    assertThat(portcullis.admin("PATCH", "/v1/services/" + s, new JsonObject()
        .put("accessDeniedPageUri", "javascript:alert(1)")).status()).isEqualTo(400);
  }

  @Test
  void removingABinding_refusesTheNextRequest() throws Exception {
    String s = service("p-remove");
    String resource = "projects/p-remove/services/" + s;
    JsonObject granted = portcullis.grant(resource, ACCESSOR, "user:rita@example.com");
    assertThat(status("rita@example.com", s)).isEqualTo(200);
    setPolicy(resource, new JsonObject().put("etag", granted.getString("etag")).put("bindings", new JsonArray()));
    assertThat(status("rita@example.com", s)).isEqualTo(403);
  }

  @Test
  void troubleshoot_namesTheGrantingBinding_orWhyNot() {
    String s = service("p-why");
    portcullis.grant("projects/p-why", ACCESSOR, "user:will@example.com", "domain:corp.example");
    JsonObject yes = portcullis.admin("POST", "/v1/iam:troubleshoot", new JsonObject()
        .put("member", "user:will@example.com").put("url", "http://" + s + ".localhost/reports")).body();
    assertThat(yes.getBoolean("allowed")).isTrue();
    assertThat(yes.getJsonObject("grantedBy").getString("resource")).isEqualTo("projects/p-why");
    assertThat(yes.getJsonObject("grantedBy").getString("member")).isEqualTo("user:will@example.com");

    JsonObject no = portcullis.admin("POST", "/v1/iam:troubleshoot", new JsonObject()
        .put("member", "user:wendy@example.com").put("url", "http://" + s + ".localhost/reports")).body();
    assertThat(no.getBoolean("allowed")).isFalse();
    JsonObject b = no.getJsonArray("bindings").getJsonObject(0);
    assertThat(b.getBoolean("grants")).isFalse();
    assertThat(b.getString("notMatched")).contains("user:wendy@example.com is not listed")
        .contains("domain is example.com, not corp.example");

    assertThat(portcullis.admin("POST", "/v1/iam:troubleshoot", new JsonObject()
        .put("member", "user:bad@@x").put("url", "http://" + s + ".localhost/")).status()).isEqualTo(400);
    assertThat(portcullis.admin("POST", "/v1/iam:troubleshoot", new JsonObject()
        .put("member", "user:a@example.com").put("url", "http://nowhere.localhost/")).status()).isEqualTo(404);
  }

  @Test
  void testIamPermissions_withTheBreakGlassToken_holdsEveryKnownPermission() {
    JsonObject r = portcullis.admin("POST", "/v1/organization:testIamPermissions", new JsonObject()
        .put("permissions", new JsonArray().add(Permissions.SET_IAM_POLICY).add("made.up.permission"))).body();
    assertThat(r.getJsonArray("permissions")).containsExactly(Permissions.SET_IAM_POLICY);
  }

  /** A person's API token for the admin API (what the sign-in host issues). */
  String apiToken(String email) {
    Sessions sessions = portcullis.portcullis().sessions();
    Sessions.Created central = sessions.createCentral(account(email).identity(),
        portcullis.portcullis().settings().authHost(), null, "127.0.0.1", "test");
    return sessions.createForHost(central.session(), Portcullis.API_HOST, "127.0.0.1", "test").orElseThrow()
        .cookieValue();
  }

  @Test
  void adminApi_isGovernedByIam_forPeople() throws Exception {
    String viewer = apiToken("vic@example.com");
    String admin = apiToken("adam@example.com");
    String nobody = apiToken("nora@example.com");
    String projectAdmin = apiToken("pat@example.com");
    portcullis.grant("organization", PredefinedRoles.VIEWER, "user:vic@example.com");
    portcullis.grant("organization", PredefinedRoles.ADMIN, "user:adam@example.com");
    portcullis.grant("projects/team", PredefinedRoles.IAP_ADMIN, "user:pat@example.com");
    JsonObject svc = new JsonObject().put("name", "by-iam-" + ids.incrementAndGet()).put("upstream", upstream);

    assertThat(AdminCalls.call(portcullis, viewer, "GET", "/v1/services", null).status()).isEqualTo(200);
    assertThat(AdminCalls.call(portcullis, viewer, "POST", "/v1/services", svc).status()).isEqualTo(403);
    assertThat(AdminCalls.call(portcullis, nobody, "GET", "/v1/services", null).status()).isEqualTo(403);
    assertThat(AdminCalls.call(portcullis, admin, "POST", "/v1/services", svc).status()).isEqualTo(201);
    assertThat(AdminCalls.call(portcullis, "not-a-token", "GET", "/v1/services", null).status()).isEqualTo(401);

    JsonObject policy = new JsonObject().put("policy", new JsonObject().put("bindings", new JsonArray()
        .add(binding(ACCESSOR, "user:x@example.com"))
        .add(binding(PredefinedRoles.IAP_ADMIN, "user:pat@example.com"))));
    assertThat(AdminCalls.call(portcullis, projectAdmin, "POST", "/v1/projects/team:setIamPolicy", policy).status())
        .isEqualTo(200);
    assertThat(AdminCalls.call(portcullis, projectAdmin, "POST", "/v1/projects/other:setIamPolicy", policy).status())
        .isEqualTo(403);
    assertThat(AdminCalls.call(portcullis, projectAdmin, "POST", "/v1/organization:setIamPolicy", policy).status())
        .isEqualTo(403);
    assertThat(AdminCalls.call(portcullis, viewer, "POST", "/v1/organization:setIamPolicy", policy).status())
        .isEqualTo(403);
    JsonObject tested = AdminCalls.call(portcullis, projectAdmin, "POST", "/v1/projects/team:testIamPermissions",
        new JsonObject().put("permissions", new JsonArray().add(Permissions.SET_IAM_POLICY)
            .add(Permissions.SERVICES_CREATE))).body();
    assertThat(tested.getJsonArray("permissions")).containsExactly(Permissions.SET_IAM_POLICY);

    // Taking the role away is in force on the very next call.
    JsonObject org = portcullis.admin("POST", "/v1/organization:getIamPolicy", new JsonObject()).body();
    JsonArray kept = new JsonArray();
    org.getJsonArray("bindings").forEach(b -> {
      if (!((JsonObject) b).getString("role").equals(PredefinedRoles.VIEWER)) {
        kept.add(b);
      }
    });
    setPolicy("organization", org.put("bindings", kept));
    assertThat(AdminCalls.call(portcullis, viewer, "GET", "/v1/services", null).status()).isEqualTo(403);

    // A disabled person's token stops working.
    assertThat(portcullis.admin("POST", "/v1/users/adam@example.com:disable", new JsonObject()).status()).isEqualTo(200);
    assertThat(AdminCalls.call(portcullis, admin, "GET", "/v1/services", null).status()).isEqualTo(401);
  }

  static JsonObject conditional(String role, String title, String expression, String... members) {
    return binding(role, members).put("condition", new JsonObject().put("title", title).put("expression", expression));
  }

  int statusAt(String email, String service, String path) throws Exception {
    return get(email, service, path, "application/json").status();
  }

  @Test
  void pathCondition_holdsForTheNormalizedAndTheRawPath() throws Exception {
    String s = service("p-cond-path");
    setPolicy("projects/p-cond-path", new JsonObject().put("bindings", new JsonArray()
        .add(conditional(ACCESSOR, "reports only", "request.path.startsWith('/reports/')", "user:ana@example.com"))));
    assertThat(statusAt("ana@example.com", s, "/reports/weekly")).isEqualTo(200);
    assertThat(statusAt("ana@example.com", s, "/admin")).isEqualTo(403);
    // Tricks that a raw-string check alone would let through, or that normalize elsewhere.
    assertThat(statusAt("ana@example.com", s, "/reports/../admin")).isEqualTo(403);
    assertThat(statusAt("ana@example.com", s, "/reports/%2e%2e/admin")).isEqualTo(403);
    assertThat(statusAt("ana@example.com", s, "/reports;x=1/../admin")).isEqualTo(403);
    assertThat(statusAt("ana@example.com", s, "/%72eports/weekly")).isEqualTo(403);
    assertThat(statusAt("ana@example.com", s, "/reports/%zz")).isEqualTo(403);
  }

  @Test
  void negatedPathCondition_cannotBeDodgedWithEncoding() throws Exception {
    String s = service("p-cond-neg");
    setPolicy("projects/p-cond-neg", new JsonObject().put("bindings", new JsonArray()
        .add(conditional(ACCESSOR, "not admin", "!request.path.startsWith('/admin')", "user:ana@example.com"))));
    assertThat(statusAt("ana@example.com", s, "/home")).isEqualTo(200);
    assertThat(statusAt("ana@example.com", s, "/admin/users")).isEqualTo(403);
    assertThat(statusAt("ana@example.com", s, "/%61dmin/users")).isEqualTo(403);
    assertThat(statusAt("ana@example.com", s, "//admin/users")).isEqualTo(403);
    assertThat(statusAt("ana@example.com", s, "/x/../admin/users")).isEqualTo(403);
    assertThat(statusAt("ana@example.com", s, "/admin;jsessionid=1/users")).isEqualTo(403);
  }

  @Test
  void hostMethodAndTimeConditions() throws Exception {
    String s = service("p-cond-misc");
    setPolicy("projects/p-cond-misc", new JsonObject().put("bindings", new JsonArray()
        .add(conditional(ACCESSOR, "host", "request.host == '" + s + ".localhost'", "user:hal@example.com"))
        .add(conditional(ACCESSOR, "other host", "request.host.endsWith('.example.com')", "user:hugo@example.com"))
        .add(conditional(ACCESSOR, "reads", "request.method == 'GET'", "user:rea@example.com"))
        .add(conditional(ACCESSOR, "past", "request.time < timestamp('2020-01-01T00:00:00Z')", "user:old@example.com"))
        .add(conditional(ACCESSOR, "future", "request.time > timestamp('2020-01-01T00:00:00Z')", "user:new@example.com"))));
    assertThat(status("hal@example.com", s)).isEqualTo(200);
    assertThat(status("hugo@example.com", s)).isEqualTo(403);
    assertThat(status("rea@example.com", s)).isEqualTo(200);
    assertThat(RawHttp.send(portcullis.port(), "DELETE /x HTTP/1.1", "Host: " + portcullis.hostOf(s),
        "Accept: application/json", "Cookie: portcullis=" + cookie("rea@example.com", s), "Content-Length: 0",
        "Connection: close").status()).isEqualTo(403);
    assertThat(status("old@example.com", s)).isEqualTo(403);
    assertThat(status("new@example.com", s)).isEqualTo(200);
  }

  @Test
  void accessLevelCondition_followsTheClientAddress() throws Exception {
    String s = service("p-cond-level");
    assertThat(portcullis.admin("POST", "/v1/accessLevels", new JsonObject().put("name", "loopback")
        .put("title", "Loopback").put("ipSubnetworks", new JsonArray().add("127.0.0.0/8"))).status()).isEqualTo(201);
    assertThat(portcullis.admin("POST", "/v1/accessLevels", new JsonObject().put("name", "office")
        .put("title", "Office").put("ipSubnetworks", new JsonArray().add("10.20.0.0/16"))).status()).isEqualTo(201);
    setPolicy("projects/p-cond-level", new JsonObject().put("bindings", new JsonArray()
        .add(conditional(ACCESSOR, "on loopback", "'accessLevels/loopback' in request.auth.access_levels",
            "user:lea@example.com"))
        .add(conditional(ACCESSOR, "in the office", "'accessLevels/office' in request.auth.access_levels",
            "user:otto@example.com"))));
    assertThat(status("lea@example.com", s)).isEqualTo(200);
    assertThat(status("otto@example.com", s)).isEqualTo(403);
  }

  @Test
  void conditionThatDoesNotCompile_isRefusedWithItsPosition() {
    TestPortcullis.AdminResponse r = portcullis.admin("POST", "/v1/organization:setIamPolicy", new JsonObject()
        .put("policy", new JsonObject().put("bindings", new JsonArray()
            .add(conditional(ACCESSOR, "typo", "request.pathh.startsWith('/a')", "user:a@example.com")))));
    assertThat(r.status()).isEqualTo(400);
    JsonObject v = r.body().getJsonObject("error").getJsonArray("details").getJsonObject(0)
        .getJsonArray("fieldViolations").getJsonObject(0);
    assertThat(v.getString("field")).isEqualTo("policy.bindings[0].condition.expression");
    assertThat(v.getString("description")).contains("line 1").contains("column");
    TestPortcullis.AdminResponse untitled = portcullis.admin("POST", "/v1/organization:setIamPolicy",
        new JsonObject().put("policy", new JsonObject().put("bindings", new JsonArray()
            .add(binding(ACCESSOR, "user:a@example.com").put("condition",
                new JsonObject().put("expression", "true"))))));
    assertThat(untitled.status()).isEqualTo(400);
    assertThat(untitled.body().encode()).contains("policy.bindings[0].condition.title");
  }

  @Test
  void conditionFailingAtRunTime_countsAsFalse() throws Exception {
    String s = service("p-cond-err");
    setPolicy("projects/p-cond-err", new JsonObject().put("bindings", new JsonArray()
        .add(conditional(ACCESSOR, "broken", "int(request.path) > 0", "user:ed@example.com"))));
    assertThat(status("ed@example.com", s)).isEqualTo(403);
    JsonObject why = portcullis.admin("POST", "/v1/iam:troubleshoot", new JsonObject()
        .put("member", "user:ed@example.com").put("url", "http://" + s + ".localhost/abc")).body();
    JsonObject cond = why.getJsonArray("bindings").getJsonObject(0).getJsonObject("condition");
    assertThat(cond.getBoolean("value")).isFalse();
    assertThat(cond.getString("error")).isNotBlank();
    assertThat(cond.getJsonObject("values").getString("request.path")).isEqualTo("/abc");
  }

  void group(String email, String... members) {
    assertThat(portcullis.admin("POST", "/v1/groups", new JsonObject().put("email", email)).status()).isEqualTo(201);
    for (String m : members) {
      assertThat(portcullis.admin("POST", "/v1/groups/" + email + "/members", new JsonObject().put("member", m))
          .status()).isEqualTo(201);
    }
  }

  @Test
  void nestedGroups_threeDeep_grantThroughEveryLevel_andRemovalIsImmediate() throws Exception {
    group("g3-qa@example.com", "user:gina@example.com");
    group("g3-eng@example.com", "group:g3-qa@example.com");
    group("g3-staff@example.com", "group:g3-eng@example.com");
    String s = service("p-groups");
    portcullis.grant("projects/p-groups", ACCESSOR, "group:g3-staff@example.com");
    assertThat(status("gina@example.com", s)).isEqualTo(200);
    assertThat(status("gus@example.com", s)).isEqualTo(403);

    JsonObject why = portcullis.admin("POST", "/v1/iam:troubleshoot", new JsonObject()
        .put("member", "user:gina@example.com").put("url", "http://" + s + ".localhost/")).body();
    assertThat(why.getJsonArray("bindings").getJsonObject(0).getJsonArray("via"))
        .containsExactly("group:g3-qa@example.com", "group:g3-eng@example.com", "group:g3-staff@example.com");

    // Cutting the middle link locks her out on the next request.
    assertThat(portcullis.admin("DELETE", "/v1/groups/g3-eng@example.com/members/group:g3-qa@example.com", null)
        .status()).isEqualTo(200);
    assertThat(status("gina@example.com", s)).isEqualTo(403);
    JsonObject whyNot = portcullis.admin("POST", "/v1/iam:troubleshoot", new JsonObject()
        .put("member", "user:gina@example.com").put("url", "http://" + s + ".localhost/")).body();
    assertThat(whyNot.getJsonArray("bindings").getJsonObject(0).getString("notMatched"))
        .contains("not a member of group:g3-staff@example.com");
  }

  @Test
  void groupCycle_isRefused() {
    group("cyc-a@example.com");
    group("cyc-b@example.com", "group:cyc-a@example.com");
    TestPortcullis.AdminResponse r = portcullis.admin("POST", "/v1/groups/cyc-a@example.com/members",
        new JsonObject().put("member", "group:cyc-b@example.com"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().encode()).contains("cyc-a@example.com").contains("cyc-b@example.com");
  }

  @Test
  void aGroupOrServiceAccountMustExistToBeGranted_andCannotBeDeletedWhileGranted() {
    TestPortcullis.AdminResponse missing = portcullis.admin("POST", "/v1/projects/p-exists:setIamPolicy",
        new JsonObject().put("policy", new JsonObject().put("bindings", new JsonArray()
            .add(binding(ACCESSOR, "group:ghosts@example.com", "serviceAccount:ghost-bot@default.iam.portcullis.internal")))));
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.body().encode()).contains("policy.bindings[0].members[0]").contains("ghosts@example.com")
        .contains("policy.bindings[0].members[1]");

    group("kept@example.com");
    JsonObject granted = portcullis.grant("projects/p-exists", ACCESSOR, "group:kept@example.com");
    TestPortcullis.AdminResponse refused = portcullis.admin("DELETE", "/v1/groups/kept@example.com", null);
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.body().getJsonObject("error").getString("message")).contains("projects/p-exists");
    assertThat(portcullis.admin("GET", "/v1/groups/kept@example.com", null).status()).isEqualTo(200);

    setPolicy("projects/p-exists", new JsonObject().put("etag", granted.getString("etag")).put("bindings", new JsonArray()));
    assertThat(portcullis.admin("DELETE", "/v1/groups/kept@example.com", null).status()).isEqualTo(200);
  }

  @Test
  void movingAServiceToAnotherProject_needsTheRightToCreateServicesThere() throws Exception {
    String mover = apiToken("mo@example.com");
    portcullis.grant("projects/mine", PredefinedRoles.ADMIN, "user:mo@example.com");
    String s = service("mine");
    TestPortcullis.AdminResponse moved = AdminCalls.call(portcullis, mover, "PATCH", "/v1/services/" + s,
        new JsonObject().put("project", "theirs"));
    assertThat(moved.status()).isEqualTo(403);
    assertThat(moved.body().encode()).contains("projects/theirs");
    assertThat(AdminCalls.call(portcullis, mover, "PATCH", "/v1/services/" + s,
        new JsonObject().put("reauthMaxAge", "8h")).status()).isEqualTo(200);
    portcullis.grant("projects/theirs", PredefinedRoles.ADMIN, "user:mo@example.com");
    assertThat(AdminCalls.call(portcullis, mover, "PATCH", "/v1/services/" + s,
        new JsonObject().put("project", "theirs")).status()).isEqualTo(200);
  }
}
