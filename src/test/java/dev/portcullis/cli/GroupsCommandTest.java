package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.TestPortcullis;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The groups and service-accounts commands as an administrator runs them, against a real Portcullis. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupsCommandTest {
  TestPortcullis portcullis;
  Path tokenFile;
  final AtomicInteger names = new AtomicInteger();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    portcullis = TestPortcullis.start(dir.resolve("data"));
    tokenFile = dir.resolve("data").resolve("admin-token");
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

  record Run(int exit, String out, String err) {}

  Run cli(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(List.of("--admin-url", portcullis.adminUrl(), "--token-file", tokenFile.toString()));
    CommandLine cl = PortcullisCommand.commandLine(Map.of(), new ByteArrayInputStream(new byte[0]));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(all.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  Run ok(String... args) {
    Run r = cli(args);
    assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isZero();
    return r;
  }

  @Test
  void createAddMembersRemove_roundTrip() {
    String eng = email("eng");
    String qa = email("qa");
    String ana = email("ana");

    assertThat(ok("groups", "create", eng, "--display-name", "Engineering").out()).startsWith("Created group " + eng);
    ok("groups", "create", qa);
    assertThat(ok("groups", "add-member", eng, "group:" + qa).out()).contains("Added group:" + qa + " to group " + eng);
    ok("groups", "add-member", qa, "user:" + ana);

    String direct = ok("groups", "members", eng).out();
    assertThat(direct.lines().findFirst().orElseThrow()).startsWith("MEMBER").contains("TYPE");
    assertThat(direct).contains("group:" + qa).doesNotContain("user:" + ana);
    String transitive = ok("groups", "members", eng, "--transitive").out();
    assertThat(transitive.lines().filter(l -> l.startsWith("user:" + ana)).findFirst().orElseThrow())
        .contains("user").contains("group:" + qa);
    JsonObject json = new JsonObject(ok("groups", "members", eng, "--transitive", "--format", "json").out());
    assertThat(json.getJsonArray("members")).hasSize(2);
    assertThat(portcullis.portcullis().directory().snapshot().groupsOf("user:" + ana)).containsExactlyInAnyOrder(eng, qa);

    assertThat(ok("groups", "remove-member", qa, "user:" + ana).out()).contains("Removed user:" + ana);
    assertThat(portcullis.portcullis().directory().snapshot().groupsOf("user:" + ana)).isEmpty();

    String list = ok("groups", "list").out();
    assertThat(list.lines().filter(l -> l.startsWith(eng + " ")).findFirst().orElseThrow()).contains("Engineering");
    assertThat(new JsonObject(ok("groups", "get", eng).out()).getInteger("directMembersCount")).isEqualTo(1);

    assertThat(ok("groups", "delete", eng).out()).contains("Deleted group " + eng);
    assertThat(cli("groups", "members", eng).exit()).isEqualTo(1);
  }

  @Test
  void refusals_nameTheArgumentAndTheFix() {
    String eng = email("strict");
    ok("groups", "create", eng);

    Run malformed = cli("groups", "add-member", eng, "ana@example.com");
    assertThat(malformed.exit()).isEqualTo(1);
    assertThat(malformed.err()).contains("member (MEMBER)").contains("write user:ana@example.com");

    Run badGroup = cli("groups", "create", "eng@@example.com");
    assertThat(badGroup.exit()).isEqualTo(1);
    assertThat(badGroup.err()).contains("email (EMAIL)").contains("more than one '@'");

    Run cycle = cli("groups", "add-member", eng, "group:" + eng);
    assertThat(cycle.exit()).isEqualTo(1);
    assertThat(cycle.err()).contains("member (MEMBER)").contains("cycle");

    Run stale = cli("groups", "delete", eng, "--etag", "v7");
    assertThat(stale.exit()).isEqualTo(1);
    assertThat(stale.err()).contains("409").contains("etag");

    Run unknown = cli("groups", "members", email("ghost"));
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).contains("does not exist").contains("404");

    CommandLine bare = PortcullisCommand.commandLine(Map.of());
    StringWriter err = new StringWriter();
    bare.setOut(new PrintWriter(new StringWriter(), true));
    bare.setErr(new PrintWriter(err, true));
    assertThat(bare.execute("groups")).isEqualTo(2);
    assertThat(err.toString()).contains("add-member");
  }

  @Test
  void serviceAccounts_createListDisableEnableDelete() {
    Run created = ok("service-accounts", "create", "ci-deploy", "--project", "payments", "--display-name", "CI");
    String email = "ci-deploy@payments.iam.portcullis.internal";
    assertThat(created.out()).contains("Created service account " + email).contains("serviceAccount:" + email);

    String list = ok("service-accounts", "list", "--project", "payments").out();
    assertThat(list.lines().filter(l -> l.startsWith(email)).findFirst().orElseThrow())
        .contains("payments").contains("CI").contains("active");

    assertThat(ok("service-accounts", "disable", email).out()).contains("Disabled " + email);
    assertThat(portcullis.portcullis().directory().snapshot().serviceAccountActive(email)).isFalse();
    assertThat(ok("service-accounts", "list").out()).contains("disabled");
    assertThat(new JsonObject(ok("service-accounts", "get", email).out()).getBoolean("disabled")).isTrue();
    ok("service-accounts", "enable", email);
    assertThat(portcullis.portcullis().directory().snapshot().serviceAccountActive(email)).isTrue();

    String group = email("robots");
    ok("groups", "create", group);
    ok("groups", "add-member", group, "serviceAccount:" + email);
    assertThat(ok("service-accounts", "delete", email).out()).contains("Deleted service account " + email);
    assertThat(portcullis.portcullis().directory().snapshot().serviceAccountExists(email)).isFalse();
    assertThat(ok("groups", "members", group).out()).startsWith("No members");

    Run badName = cli("service-accounts", "create", "ci");
    assertThat(badName.exit()).isEqualTo(1);
    assertThat(badName.err()).contains("accountId (NAME)").contains("6 to 30");
    Run badProject = cli("service-accounts", "create", "ci-deploy", "--project", "Not_A_Project");
    assertThat(badProject.err()).contains("project (--project)");
  }
}
