package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** portcullis iam and roles against a real Portcullis. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IamCommandTest {
  Upstreams upstreams;
  TestPortcullis portcullis;
  Path tokenFile;
  Path dir;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    this.dir = dir;
    upstreams = new Upstreams();
    String upstream = upstreams.http(req -> req.response().end("hi"));
    portcullis = TestPortcullis.start(dir.resolve("data"));
    tokenFile = dir.resolve("data").resolve("admin-token");
    portcullis.createService("dash", upstream, new JsonObject().put("iap", true).put("project", "analytics"));
    assertThat(portcullis.admin("POST", "/v1/groups", new JsonObject().put("email", "qa@example.com")).status())
        .isEqualTo(201);
  }

  @AfterAll
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
  }

  record Run(int exit, String out, String err) {}

  Run cli(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(List.of("--admin-url", portcullis.adminUrl(), "--token-file", tokenFile.toString()));
    CommandLine cl = PortcullisCommand.commandLine(Map.of());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(all.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  JsonObject policy(String resource) {
    Run r = cli("iam", "get-policy", resource);
    assertThat(r.exit()).as(r.err()).isZero();
    return new JsonObject(r.out());
  }

  @Test
  void addBinding_thenRemoveBinding_roundTrips() {
    Run add = cli("iam", "add-binding", "projects/analytics", "--member", "group:qa@example.com",
        "--role", "roles/iap.httpsResourceAccessor");
    assertThat(add.exit()).as(add.err()).isZero();
    assertThat(add.out()).contains("Granted roles/iap.httpsResourceAccessor to group:qa@example.com");
    Run again = cli("iam", "add-binding", "projects/analytics", "--member", "user:ana@example.com",
        "--role", "roles/iap.httpsResourceAccessor");
    assertThat(again.exit()).isZero();
    assertThat(policy("projects/analytics").getJsonArray("bindings").getJsonObject(0).getJsonArray("members"))
        .containsExactly("group:qa@example.com", "user:ana@example.com");

    Run remove = cli("iam", "remove-binding", "projects/analytics", "--member", "group:qa@example.com",
        "--role", "roles/iap.httpsResourceAccessor");
    assertThat(remove.exit()).as(remove.err()).isZero();
    assertThat(policy("projects/analytics").getJsonArray("bindings").getJsonObject(0).getJsonArray("members"))
        .containsExactly("user:ana@example.com");

    Run missing = cli("iam", "remove-binding", "projects/analytics", "--member", "group:qa@example.com",
        "--role", "roles/iap.httpsResourceAccessor");
    assertThat(missing.exit()).isNotZero();
    assertThat(missing.err()).contains("does not hold");
  }

  @Test
  void addBinding_withAMalformedMember_namesTheFlag() {
    Run r = cli("iam", "add-binding", "organization", "--member", "user:two@@example.com",
        "--role", "roles/iap.httpsResourceAccessor");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("--member").contains("user:two@@example.com");
  }

  @Test
  void addBinding_onAMistypedResource_saysWhatAResourceIs() {
    Run r = cli("iam", "add-binding", "project/analytics", "--member", "user:a@example.com",
        "--role", "roles/iap.httpsResourceAccessor");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("projects/PROJECT");
  }

  @Test
  void setPolicy_fromYaml_andAStaleEtagIsRefused() throws Exception {
    String etag = policy("projects/yaml").getString("etag");
    Path file = Files.writeString(dir.resolve("policy.yaml"), """
        etag: "%s"
        bindings:
          - role: roles/portcullis.viewer
            members:
              - user:vic@example.com
        """.formatted(etag));
    Run set = cli("iam", "set-policy", "projects/yaml", file.toString());
    assertThat(set.exit()).as(set.err()).isZero();
    assertThat(policy("projects/yaml").getJsonArray("bindings").getJsonObject(0).getString("role"))
        .isEqualTo("roles/portcullis.viewer");

    Run stale = cli("iam", "set-policy", "projects/yaml", file.toString());
    assertThat(stale.exit()).isNotZero();
    assertThat(stale.err()).contains("etag").contains("409");
  }

  @Test
  void troubleshoot_printsTheDecisionAndTheBindings() {
    assertThat(cli("iam", "add-binding", "projects/analytics", "--member", "domain:example.com",
        "--role", "roles/iap.httpsResourceAccessor").exit()).isZero();
    Run yes = cli("iam", "troubleshoot", "--member", "user:zed@example.com", "--url", "http://dash.localhost/r");
    assertThat(yes.exit()).as(yes.err()).isZero();
    assertThat(yes.out()).startsWith("ALLOWED").contains("[grants]").contains("domain:example.com");
    Run no = cli("iam", "troubleshoot", "--member", "user:zed@other.test", "--url", "http://dash.localhost/r");
    assertThat(no.out()).startsWith("DENIED").contains("domain is other.test");
  }

  @Test
  void roles_listAndCustomRoleLifecycle() {
    Run list = cli("roles", "list");
    assertThat(list.out()).contains("roles/iap.httpsResourceAccessor").contains("roles/portcullis.admin")
        .contains("roles/portcullis.viewer").contains("roles/iap.admin");
    Run create = cli("roles", "create", "reportsReader", "--title", "Reports reader",
        "--permissions", "iap.webServiceVersions.accessViaIAP");
    assertThat(create.exit()).as(create.err()).isZero();
    assertThat(cli("roles", "describe", "customRoles/reportsReader").out())
        .contains("iap.webServiceVersions.accessViaIAP");
    Run bad = cli("roles", "create", "bogus", "--title", "B", "--permissions", "made.up");
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.err()).contains("--permissions").contains("made.up");
    assertThat(cli("roles", "delete", "customRoles/reportsReader").exit()).isZero();
    assertThat(cli("roles", "describe", "customRoles/reportsReader").exit()).isNotZero();
  }
}
