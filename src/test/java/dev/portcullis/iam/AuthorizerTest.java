package dev.portcullis.iam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.directory.DirectorySnapshot;
import dev.portcullis.directory.Group;
import dev.portcullis.directory.ServiceAccount;
import dev.portcullis.iam.condition.AccessLevel;
import dev.portcullis.iam.condition.AccessLevelSnapshot;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The decision engine on hand-built snapshots: one row per member kind, chain level and condition. */
class AuthorizerTest {
  static final ResourceName DASH = ResourceName.service("analytics", "dash");
  static final Instant NOON = Instant.parse("2026-11-23T12:00:00Z");

  /** qa ⊂ eng ⊂ staff (three deep); ana is in qa; sam the service account is in bots; ops is empty. */
  static DirectorySnapshot directory() {
    DirectorySnapshot.Builder b = new DirectorySnapshot.Builder();
    for (String g : List.of("qa@example.com", "eng@example.com", "staff@example.com", "bots@example.com",
        "ops@example.com")) {
      b.group(new Group(g, Optional.empty(), Optional.empty(), 1, NOON, NOON));
    }
    b.serviceAccount(new ServiceAccount("sam@analytics.iam.portcullis", "analytics", Optional.empty(),
        Optional.empty(), false, 1, NOON, NOON));
    b.serviceAccount(new ServiceAccount("off@analytics.iam.portcullis", "analytics", Optional.empty(),
        Optional.empty(), true, 1, NOON, NOON));
    b.member("qa@example.com", "user:ana@example.com");
    b.member("eng@example.com", "group:qa@example.com");
    b.member("staff@example.com", "group:eng@example.com");
    b.member("bots@example.com", "serviceAccount:sam@analytics.iam.portcullis");
    b.member("bots@example.com", "serviceAccount:off@analytics.iam.portcullis");
    return b.build(1);
  }

  static Authorizer authorizer(ResourceName on, Binding... bindings) {
    Map<ResourceName, Policy> policies = new HashMap<>();
    policies.put(on, new Policy(Policy.versionFor(Arrays.asList(bindings)), PolicyEtags.of(1), Arrays.asList(bindings)));
    IamSnapshot iam = new IamSnapshot(List.of(), policies);
    AccessLevelSnapshot levels = AccessLevelSnapshot.of(List.of(
        AccessLevel.of("accessLevels/office", "Office", "", List.of("10.20.0.0/16"), null)));
    DirectorySnapshot dir = directory();
    return new Authorizer(() -> iam, () -> dir, () -> levels);
  }

  static Binding grant(String member, String condition) {
    return new Binding(PredefinedRoles.ACCESSOR, List.of(Member.parse(member)),
        condition == null ? Optional.empty() : Optional.of(new Condition("c", "", condition)));
  }

  static RequestFacts facts(String path, String ip, Instant time) {
    return new RequestFacts("dash.example.com", path, "GET", time, ip);
  }

  record Row(String name, ResourceName on, String member, String condition, Optional<Principal> caller,
      String path, String ip, boolean allowed) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Optional<Principal> user(String email) {
    return Optional.of(Principal.user(email));
  }

  static List<Row> rows() {
    ResourceName project = ResourceName.project("analytics");
    ResourceName org = ResourceName.ORGANIZATION;
    ResourceName other = ResourceName.project("other");
    Optional<Principal> sam = Optional.of(Principal.serviceAccount("sam@analytics.iam.portcullis"));
    Optional<Principal> off = Optional.of(Principal.serviceAccount("off@analytics.iam.portcullis"));
    Optional<Principal> ghost = Optional.of(Principal.serviceAccount("ghost@analytics.iam.portcullis"));
    return List.of(
        new Row("user on service", DASH, "user:ana@example.com", null, user("ana@example.com"), "/", null, true),
        new Row("other user", DASH, "user:ana@example.com", null, user("bob@example.com"), "/", null, false),
        new Row("user on project", project, "user:ana@example.com", null, user("ana@example.com"), "/", null, true),
        new Row("user on org", org, "user:ana@example.com", null, user("ana@example.com"), "/", null, true),
        new Row("user on another project", other, "user:ana@example.com", null, user("ana@example.com"), "/", null, false),
        new Row("direct group", DASH, "group:qa@example.com", null, user("ana@example.com"), "/", null, true),
        new Row("group two up", DASH, "group:eng@example.com", null, user("ana@example.com"), "/", null, true),
        new Row("group three up", org, "group:staff@example.com", null, user("ana@example.com"), "/", null, true),
        new Row("unrelated group", DASH, "group:ops@example.com", null, user("ana@example.com"), "/", null, false),
        new Row("unknown group", DASH, "group:nope@example.com", null, user("ana@example.com"), "/", null, false),
        new Row("domain", project, "domain:example.com", null, user("bob@example.com"), "/", null, true),
        new Row("lookalike domain", project, "domain:example.com", null, user("bob@evilexample.com"), "/", null, false),
        new Row("subdomain", project, "domain:example.com", null, user("bob@a.example.com"), "/", null, false),
        new Row("all authenticated", DASH, "allAuthenticatedUsers", null, user("x@y.test"), "/", null, true),
        new Row("all authenticated, anonymous", DASH, "allAuthenticatedUsers", null, Optional.empty(), "/", null, false),
        new Row("all users, anonymous", DASH, "allUsers", null, Optional.empty(), "/", null, true),
        new Row("service account", DASH, "serviceAccount:sam@analytics.iam.portcullis", null, sam, "/", null, true),
        new Row("service account via group", DASH, "group:bots@example.com", null, sam, "/", null, true),
        new Row("disabled service account", DASH, "serviceAccount:off@analytics.iam.portcullis", null, off, "/", null, false),
        new Row("unknown service account", DASH, "allAuthenticatedUsers", null, ghost, "/", null, false),
        new Row("user member is not the service account", DASH, "user:sam@analytics.iam.portcullis", null, sam, "/", null, false),
        new Row("path condition true", DASH, "user:ana@example.com", "request.path.startsWith('/r/')",
            user("ana@example.com"), "/r/1", null, true),
        new Row("path condition false", DASH, "user:ana@example.com", "request.path.startsWith('/r/')",
            user("ana@example.com"), "/s/1", null, false),
        new Row("path condition, dot-dot", DASH, "user:ana@example.com", "request.path.startsWith('/r/')",
            user("ana@example.com"), "/r/../s", null, false),
        new Row("host condition", DASH, "user:ana@example.com", "request.host.endsWith('.example.com')",
            user("ana@example.com"), "/", null, true),
        new Row("access level in", DASH, "group:qa@example.com", "'accessLevels/office' in request.auth.access_levels",
            user("ana@example.com"), "/", "10.20.3.4", true),
        new Row("access level out", DASH, "group:qa@example.com", "'accessLevels/office' in request.auth.access_levels",
            user("ana@example.com"), "/", "10.21.3.4", false),
        new Row("time window open", DASH, "user:ana@example.com", "request.time < timestamp('2026-12-01T00:00:00Z')",
            user("ana@example.com"), "/", null, true),
        new Row("time window closed", DASH, "user:ana@example.com", "request.time > timestamp('2026-12-01T00:00:00Z')",
            user("ana@example.com"), "/", null, false),
        new Row("run-time error", DASH, "user:ana@example.com", "inIpRange(request.client_ip, '10.0.0.0/8')",
            user("ana@example.com"), "/", null, false));
  }

  @ParameterizedTest
  @MethodSource("rows")
  void decides(Row row) {
    Authorizer a = authorizer(row.on(), grant(row.member(), row.condition()));
    Decision d = a.decide(row.caller(), DASH, Permissions.ACCESS, facts(row.path(), row.ip(), NOON));
    assertThat(d.allowed()).as(d.reason()).isEqualTo(row.allowed());
    if (d.allowed()) {
      assertThat(d.grant().orElseThrow().resource()).isEqualTo(row.on());
    }
  }

  @Test
  void aRoleWithoutTheAccessPermission_grantsNothing() {
    Authorizer a = authorizer(DASH, new Binding(PredefinedRoles.ADMIN, List.of(Member.parse("user:ana@example.com")),
        Optional.empty()));
    assertThat(a.decide(user("ana@example.com"), DASH, Permissions.ACCESS, facts("/", null, NOON)).allowed()).isFalse();
    assertThat(a.decide(user("ana@example.com"), DASH, Permissions.SERVICES_UPDATE, facts("/", null, NOON)).allowed())
        .isTrue();
  }

  @Test
  void explain_showsTheGroupChain_andTheConditionsValues() {
    Authorizer a = authorizer(DASH, grant("group:staff@example.com", null),
        new Binding(PredefinedRoles.ACCESSOR, List.of(Member.parse("user:ana@example.com")),
            Optional.of(new Condition("reports", "", "request.path.startsWith('/reports/')"))));
    Explanation e = a.explain(user("ana@example.com"), DASH, Permissions.ACCESS, facts("/admin", null, NOON));
    assertThat(e.decision().allowed()).isTrue();
    Explanation.BindingExplanation viaGroups = e.bindings().get(0);
    assertThat(viaGroups.matchedMember()).contains("group:staff@example.com");
    assertThat(viaGroups.via()).containsExactly("group:qa@example.com", "group:eng@example.com", "group:staff@example.com");
    Explanation.BindingExplanation conditional = e.bindings().get(1);
    assertThat(conditional.grants()).isFalse();
    assertThat(conditional.condition().orElseThrow().values()).containsEntry("request.path", "/admin");

    Explanation no = a.explain(user("bob@example.com"), DASH, Permissions.ACCESS, facts("/", null, NOON));
    assertThat(no.decision().allowed()).isFalse();
    assertThat(no.bindings().get(0).notMatched().orElseThrow()).contains("not a member of group:staff@example.com");
  }
}
