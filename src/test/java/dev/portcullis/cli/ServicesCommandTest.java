package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
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

/** The services commands as a user runs them, against a real Portcullis. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServicesCommandTest {
  Upstreams upstreams;
  TestPortcullis portcullis;
  Path dataDir;
  Path tokenFile;
  String upstream;
  final AtomicInteger names = new AtomicInteger();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    upstream = upstreams.http(req -> req.response().end("hi"));
    dataDir = dir.resolve("data");
    portcullis = TestPortcullis.start(dataDir);
    tokenFile = dataDir.resolve("admin-token");
  }

  @AfterAll
  void stop() throws Exception {
    if (portcullis != null) {
      portcullis.close();
    }
    upstreams.close();
  }

  String name(String prefix) {
    return prefix + "-" + names.incrementAndGet();
  }

  record Run(int exit, String out, String err) {
    List<String> errLines() {
      return err.isEmpty() ? List.of() : Arrays.asList(err.split("\n"));
    }

    JsonObject json() {
      return new JsonObject(out);
    }
  }

  Run run(Map<String, String> env, String... args) {
    CommandLine cl = PortcullisCommand.commandLine(env);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /** Runs against the test Portcullis with an explicit admin URL and token file, and no environment. */
  Run cli(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(List.of("--admin-url", portcullis.adminUrl(), "--token-file", tokenFile.toString()));
    return run(Map.of(), all.toArray(String[]::new));
  }

  static void assertNoStackTrace(Run r) {
    assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(r.out()).doesNotContain("Exception");
  }

  @Test
  void create_registersTheServiceAndPrintsIt() {
    String n = name("made");

    Run r = cli("services", "create", n, "--upstream", upstream, "--host", n + ".example.com", "--iap",
        "--ingress", "internal", "--connect-timeout", "2s", "--project", "team-a");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).contains("Created service " + n).contains(upstream).contains(n + ".example.com")
        .contains("http://" + n + ".localhost:" + portcullis.port() + "/");
    JsonObject stored = portcullis.admin("GET", "/v1/services/" + n, null).body();
    assertThat(stored.getString("upstream")).isEqualTo(upstream);
    assertThat(stored.getString("project")).isEqualTo("team-a");
    assertThat(stored.getBoolean("iap")).isTrue();
    assertThat(stored.getString("ingress")).isEqualTo("internal");
    assertThat(stored.getJsonArray("hosts")).containsExactly(n + ".example.com");
    assertThat(stored.getJsonObject("timeouts").getString("connect")).isEqualTo("2s");
  }

  @Test
  void create_refusesUpstreamWithPath_namingTheFieldOnStderr() {
    String n = name("pathy");

    Run r = cli("services", "create", n, "--upstream", "http://127.0.0.1:8501/app");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines()).hasSize(2);
    assertThat(r.errLines().get(0)).startsWith("portcullis: ").contains("400");
    assertThat(r.errLines().get(1)).contains("upstream").contains("--upstream").contains("path");
    assertNoStackTrace(r);
    assertThat(portcullis.admin("GET", "/v1/services/" + n, null).status()).isEqualTo(404);
  }

  @Test
  void create_reportsEveryBadFieldOnItsOwnLine() {
    Run r = cli("services", "create", "Bad_Name", "--upstream", "ftp://x", "--host", "no such host",
        "--ingress", "everyone", "--idle-timeout", "3x");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("name").contains("upstream (--upstream)").contains("hosts[0] (--host)")
        .contains("ingress (--ingress)").contains("timeouts.idle (--idle-timeout)");
    assertThat(r.errLines()).hasSize(6);
    assertNoStackTrace(r);
  }

  @Test
  void create_withoutUpstream_isAUsageError() {
    Run r = cli("services", "create", name("noup"));

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--upstream");
    assertThat(r.errLines()).hasSizeLessThanOrEqualTo(3);
    assertNoStackTrace(r);
  }

  @Test
  void create_ofExistingName_failsWithConflict() {
    String n = name("twice");
    assertThat(cli("services", "create", n, "--upstream", upstream).exit()).isZero();

    Run r = cli("services", "create", n, "--upstream", upstream);

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("already exists").contains("409");
    assertThat(r.errLines()).hasSize(1);
  }

  @Test
  void list_printsATableByDefaultAndJsonOnRequest() {
    String n = name("listed");
    portcullis.createService(n, upstream, new JsonObject().put("iap", true));

    Run table = cli("services", "list");
    assertThat(table.exit()).isZero();
    List<String> lines = table.out().lines().toList();
    assertThat(lines.get(0)).startsWith("NAME").contains("UPSTREAM").contains("URL").contains("IAP");
    assertThat(lines).anySatisfy(l -> assertThat(l.split("\\s+")).startsWith(n, "default",
        "http://" + n + ".localhost:" + portcullis.port() + "/", upstream, "true", "all"));

    Run json = cli("services", "list", "--format", "json");
    assertThat(json.exit()).isZero();
    assertThat(json.json().getJsonArray("services").stream().map(o -> ((JsonObject) o).getString("name")))
        .contains(n);
  }

  @Test
  void list_withNoServices_saysHowToCreateOne(@TempDir Path other) throws Exception {
    try (TestPortcullis empty = TestPortcullis.start(other)) {
      Run r = run(Map.of(), "services", "list", "--admin-url", empty.adminUrl(), "--data-dir", other.toString());
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).contains("No services").contains("portcullis services create");
    }
  }

  @Test
  void get_printsJsonByDefaultAndATableOnRequest() {
    String n = name("shown");
    portcullis.createService(n, upstream);

    Run json = cli("services", "get", n);
    assertThat(json.exit()).isZero();
    assertThat(json.json().getString("name")).isEqualTo(n);
    assertThat(json.json().getString("etag")).isEqualTo("v1");

    Run table = cli("services", "get", n, "--format", "table");
    assertThat(table.exit()).isZero();
    assertThat(table.out()).containsPattern("(?m)^name:\\s+" + n + "$").containsPattern("(?m)^upstream:\\s+" + upstream + "$")
        .containsPattern("(?m)^etag:\\s+v1$");
  }

  @Test
  void get_ofUnknownService_failsWithNotFound() {
    Run r = cli("services", "get", "nosuch");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.errLines()).containsExactly("portcullis: service 'nosuch' does not exist (404 NOT_FOUND)");
  }

  @Test
  void update_changesOnlyTheGivenFields() {
    String n = name("upd");
    portcullis.createService(n, upstream, new JsonObject().put("hosts", new io.vertx.core.json.JsonArray()
        .add(n + ".example.com")).put("timeouts", new JsonObject().put("connect", "2s")));

    Run r = cli("services", "update", n, "--iap", "--response-timeout", "45s", "--format", "json");

    assertThat(r.exit()).as(r.err()).isZero();
    JsonObject s = r.json();
    assertThat(s.getBoolean("iap")).isTrue();
    assertThat(s.getJsonObject("timeouts").getMap()).isEqualTo(Map.of("connect", "2s", "response", "45s"));
    assertThat(s.getJsonArray("hosts")).containsExactly(n + ".example.com");
    assertThat(s.getString("etag")).isEqualTo("v2");

    Run back = cli("services", "update", n, "--no-iap", "--clear-hosts", "--connect-timeout", "default");
    assertThat(back.exit()).as(back.err()).isZero();
    assertThat(back.out()).startsWith("Updated service " + n);
    JsonObject stored = portcullis.admin("GET", "/v1/services/" + n, null).body();
    assertThat(stored.getBoolean("iap")).isFalse();
    assertThat(stored.getJsonArray("hosts")).isEmpty();
    assertThat(stored.getJsonObject("timeouts").getMap()).isEqualTo(Map.of("response", "45s"));
  }

  @Test
  void update_withStaleEtag_failsAndChangesNothing() {
    String n = name("etag");
    portcullis.createService(n, upstream);
    assertThat(cli("services", "update", n, "--project", "p2", "--etag", "v1").exit()).isZero();

    Run r = cli("services", "update", n, "--upstream", "http://127.0.0.1:1", "--etag", "v1");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("etag").contains("v2").contains("409");
    assertThat(portcullis.admin("GET", "/v1/services/" + n, null).body().getString("upstream")).isEqualTo(upstream);
  }

  @Test
  void update_withNothingToChange_orConflictingHostFlags_isAUsageError() {
    String n = name("nothing");
    portcullis.createService(n, upstream);

    Run nothing = cli("services", "update", n);
    assertThat(nothing.exit()).isEqualTo(2);
    assertThat(nothing.err()).contains("nothing to change");

    Run both = cli("services", "update", n, "--clear-hosts", "--host", "a.example.com");
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("--clear-hosts").contains("--host");
    assertThat(portcullis.admin("GET", "/v1/services/" + n, null).body().getString("etag")).isEqualTo("v1");
  }

  @Test
  void update_refusesBadIngress_namingTheField() {
    String n = name("ingr");
    portcullis.createService(n, upstream);

    Run r = cli("services", "update", n, "--ingress", "everyone");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("ingress (--ingress)").contains("'all' or 'internal'");
    assertNoStackTrace(r);
  }

  @Test
  void delete_removesTheService_andHonoursTheEtag() {
    String n = name("del");
    portcullis.createService(n, upstream);
    portcullis.admin("PATCH", "/v1/services/" + n, new JsonObject().put("iap", true));

    Run stale = cli("services", "delete", n, "--etag", "v1");
    assertThat(stale.exit()).isEqualTo(1);
    assertThat(stale.err()).contains("409");
    assertThat(portcullis.admin("GET", "/v1/services/" + n, null).status()).isEqualTo(200);

    Run r = cli("services", "delete", n, "--etag", "v2");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("Deleted service " + n + ".\n");
    assertThat(portcullis.admin("GET", "/v1/services/" + n, null).status()).isEqualTo(404);

    Run again = cli("services", "delete", n);
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("does not exist");
  }

  @Test
  void token_isFoundThroughDataDir_orTheEnvironment() {
    Run viaDataDir = run(Map.of(), "services", "list", "--admin-url", portcullis.adminUrl(), "--data-dir",
        dataDir.toString());
    assertThat(viaDataDir.exit()).as(viaDataDir.err()).isZero();

    Run viaEnv = run(Map.of("PORTCULLIS_ADMIN_URL", portcullis.adminUrl(),
        "PORTCULLIS_ADMIN_TOKEN", portcullis.adminToken()), "services", "list", "--data-dir", "/nonexistent");
    assertThat(viaEnv.exit()).as(viaEnv.err()).isZero();

    Run viaEnvDataDir = run(Map.of("PORTCULLIS_ADMIN_URL", portcullis.adminUrl(),
        "PORTCULLIS_DATA_DIR", dataDir.toString()), "services", "list");
    assertThat(viaEnvDataDir.exit()).as(viaEnvDataDir.err()).isZero();
  }

  @Test
  void wrongToken_failsWith401_sayingWhereTheTokenCameFrom(@TempDir Path dir) throws IOException {
    Path wrong = Files.writeString(dir.resolve("token"), "not-the-token\n");

    Run r = run(Map.of(), "services", "list", "--admin-url", portcullis.adminUrl(), "--token-file", wrong.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("401").contains(wrong.toString());
    assertThat(r.errLines()).hasSize(2);
    assertNoStackTrace(r);
  }

  @Test
  void missingToken_saysWhereItLookedAndWhatToPass(@TempDir Path empty) {
    Run r = run(Map.of(), "services", "list", "--admin-url", portcullis.adminUrl(), "--data-dir", empty.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).contains(empty.resolve("admin-token").toString()).contains("--token-file")
        .contains("PORTCULLIS_ADMIN_TOKEN");
  }

  @Test
  void unreachableAdminApi_isOneLineSayingWhatToDo() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + closedPort;

    Run r = run(Map.of(), "services", "list", "--admin-url", url, "--token-file", tokenFile.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).contains("admin API at " + url + " is not reachable").contains("portcullis serve")
        .contains("--admin-url");
    assertNoStackTrace(r);
  }

  @Test
  void adminUrlOfTheProxyListener_isExplained() {
    Run r = run(Map.of(), "services", "list", "--admin-url", "http://127.0.0.1:" + portcullis.port(),
        "--token-file", tokenFile.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).contains("proxy listener, not its admin API");
  }

  @Test
  void adminUrl_defaultsToTheEnvironment() {
    String n = name("envurl");
    portcullis.createService(n, upstream);

    Run r = run(Map.of("PORTCULLIS_ADMIN_URL", portcullis.adminUrl()), "services", "get", n, "--token-file",
        tokenFile.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.json().getString("name")).isEqualTo(n);
  }

  @Test
  void usageErrors_exit2WithAShortMessage() {
    Run badFormat = cli("services", "list", "--format", "yaml");
    assertThat(badFormat.exit()).isEqualTo(2);
    assertThat(badFormat.err()).contains("--format").contains("yaml");
    assertThat(badFormat.errLines()).hasSizeLessThanOrEqualTo(3);

    Run typo = run(Map.of(), "services", "lst");
    assertThat(typo.exit()).isEqualTo(2);
    assertThat(typo.err()).contains("lst").contains("list");

    Run badUrl = run(Map.of(), "services", "list", "--admin-url", "localhost:8081");
    assertThat(badUrl.exit()).isEqualTo(2);
    assertThat(badUrl.err()).contains("--admin-url");
  }
}
