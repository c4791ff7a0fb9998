package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.TestPortcullis;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
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

/** The access-levels commands as a user runs them, against a real Portcullis. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessLevelsCommandTest {
  TestPortcullis portcullis;
  Path tokenFile;
  final AtomicInteger names = new AtomicInteger();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    Path dataDir = dir.resolve("data");
    portcullis = TestPortcullis.start(dataDir);
    tokenFile = dataDir.resolve("admin-token");
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

  record Run(int exit, String out, String err) {
    List<String> errLines() {
      return err.isEmpty() ? List.of() : Arrays.asList(err.split("\n"));
    }
  }

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

  static void assertNoStackTrace(Run r) {
    assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  JsonObject stored(String n) {
    return portcullis.admin("GET", "/v1/accessLevels/" + n, null).body();
  }

  @Test
  void create_withIpSubnetworks_definesTheLevelAndPrintsIt() {
    String n = name("corp");

    Run r = cli("access-levels", "create", n, "--ip-subnetworks", "10.0.0.0/8,2001:db8::/32",
        "--title", "Corporate network", "--description", "offices");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("Created access level accessLevels/" + n).contains("10.0.0.0/8,2001:db8::/32")
        .contains("Corporate network").contains("etag:").contains("v1");
    JsonObject level = stored(n);
    assertThat(level.getJsonArray("ipSubnetworks")).containsExactly("10.0.0.0/8", "2001:db8::/32");
    assertThat(level.getString("description")).isEqualTo("offices");
    assertThat(portcullis.portcullis().accessLevels().snapshot()
        .satisfied("h", "/", "GET", Instant.now(), "2001:db8::5")).contains("accessLevels/" + n);
  }

  @Test
  void create_withExpression_andFullName() {
    String n = name("lan");

    Run r = cli("access-levels", "create", "accessLevels/" + n, "--expression",
        "inIpRange(request.client_ip, '192.168.0.0/16')", "--format", "json");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(new JsonObject(r.out()).getString("expression"))
        .isEqualTo("inIpRange(request.client_ip, '192.168.0.0/16')");
  }

  @Test
  void create_refusesHostBits_namingTheFlagOnStderr() {
    Run r = cli("access-levels", "create", name("bits"), "--ip-subnetworks", "10.0.0.0/8,10.1.2.3/16");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines()).hasSize(2);
    assertThat(r.errLines().get(0)).startsWith("portcullis: ").contains("400");
    assertThat(r.errLines().get(1)).contains("ipSubnetworks[1] (--ip-subnetworks)").contains("10.1.0.0/16");
    assertNoStackTrace(r);
  }

  @Test
  void create_refusesABadExpression_withItsPosition() {
    Run r = cli("access-levels", "create", name("typo"), "--expression", "request.methd == 'GET'");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("expression (--expression): line 1, column 1: undeclared reference to "
        + "'request.methd'");
    assertNoStackTrace(r);
  }

  @Test
  void create_needsExactlyOneKind() {
    Run neither = cli("access-levels", "create", name("none"));
    Run both = cli("access-levels", "create", name("both"), "--ip-subnetworks", "10.0.0.0/8",
        "--expression", "true");

    assertThat(neither.exit()).isEqualTo(2);
    assertThat(neither.err()).contains("--ip-subnetworks").contains("--expression");
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("--ip-subnetworks and --expression exclude each other");
  }

  @Test
  void create_refusesABadName_namingTheArgument() {
    Run r = cli("access-levels", "create", "Corp-Net", "--ip-subnetworks", "10.0.0.0/8");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("name (NAME)").contains("lower-case");
  }

  @Test
  void list_showsEveryLevel() {
    String ip = name("listed");
    String expr = name("listed");
    cli("access-levels", "create", ip, "--ip-subnetworks", "172.16.0.0/12");
    cli("access-levels", "create", expr, "--expression", "request.method == 'GET'");

    Run r = cli("access-levels", "list");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("NAME").contains("KIND");
    assertThat(r.out().lines().filter(l -> l.startsWith("accessLevels/" + ip + " ")))
        .singleElement().asString().contains("ip").contains("172.16.0.0/12");
    assertThat(r.out().lines().filter(l -> l.startsWith("accessLevels/" + expr + " ")))
        .singleElement().asString().contains("expression").contains("request.method == 'GET'");
  }

  @Test
  void get_printsJson() {
    String n = name("shown");
    cli("access-levels", "create", n, "--ip-subnetworks", "10.0.0.0/8");

    Run r = cli("access-levels", "get", n);

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(new JsonObject(r.out()).getString("name")).isEqualTo("accessLevels/" + n);
  }

  @Test
  void update_changesTheGivenFields_andAStaleEtagFails() {
    String n = name("changed");
    cli("access-levels", "create", n, "--ip-subnetworks", "10.0.0.0/8", "--title", "Old");

    Run r = cli("access-levels", "update", n, "--expression", "request.host.endsWith('.example.com')",
        "--etag", "v1");
    Run stale = cli("access-levels", "update", n, "--title", "New", "--etag", "v1");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("Updated access level accessLevels/" + n);
    JsonObject level = stored(n);
    assertThat(level.getString("expression")).isEqualTo("request.host.endsWith('.example.com')");
    assertThat(level.getString("title")).isEqualTo("Old");
    assertThat(level.containsKey("ipSubnetworks")).isFalse();
    assertThat(stale.exit()).isEqualTo(1);
    assertThat(stale.err()).contains("409").contains("etag");
    assertNoStackTrace(stale);
  }

  @Test
  void update_withNothingToChange_saysWhichFlagsThereAre() {
    Run r = cli("access-levels", "update", name("idle"));

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("nothing to change").contains("--ip-subnetworks").contains("--title");
  }

  @Test
  void delete_removesTheLevel() {
    String n = name("removed");
    cli("access-levels", "create", n, "--ip-subnetworks", "10.0.0.0/8");

    Run r = cli("access-levels", "delete", n);
    Run again = cli("access-levels", "delete", n);

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("Deleted access level accessLevels/" + n);
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("does not exist").contains("404");
  }
}
