package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.authn.User;
import dev.portcullis.cli.PortcullisCommand;
import dev.portcullis.iam.PredefinedRoles;
import dev.portcullis.testing.SignedInSessions;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.TestPostgres;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Moving up: a deployment on SQLite exported, imported into PostgreSQL, and nothing lost. */
class ExportImportTest {
  private static TestPostgres postgres;

  @BeforeAll
  static void start() throws Exception {
    postgres = TestPostgres.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  record Run(int status, String out) {}

  static Run cli(String... args) {
    CommandLine cl = PortcullisCommand.commandLine(Map.of());
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(out));
    int status = cl.execute(args);
    return new Run(status, out.toString());
  }

  @Test
  void sqliteExportedAndImportedIntoPostgres_holdsEveryRow_andStillServes(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    String cookie;
    String kid;
    try (Upstreams upstreams = new Upstreams()) {
      String upstream = upstreams.http(req -> req.response().end("ok"));
      try (TestPortcullis p = TestPortcullis.start(data)) {
        p.createService("dash", upstream, new JsonObject().put("iap", true).put("hosts", new JsonArray().add("dash.example.org")));
        assertThat(p.admin("POST", "/v1/groups", new JsonObject().put("email", "qa@example.com")).status()).isEqualTo(201);
        assertThat(p.admin("POST", "/v1/groups/qa@example.com/members",
            new JsonObject().put("member", "user:ana@example.com")).status()).isEqualTo(201);
        assertThat(p.admin("POST", "/v1/serviceAccounts", new JsonObject().put("accountId", "ci-deploy")).status())
            .isEqualTo(201);
        assertThat(p.admin("POST", "/v1/accessLevels", new JsonObject().put("name", "office").put("title", "Office")
            .put("ipSubnetworks", new JsonArray().add("10.0.0.0/8"))).status()).isBetween(200, 201);
        p.grant("projects/default/services/dash", PredefinedRoles.ACCESSOR, "group:qa@example.com");
        User ana = p.portcullis().accounts().orElseThrow().create("ana@example.com", Optional.empty(),
            "a long enough password");
        cookie = new SignedInSessions(p, null).signIn(ana, "dash").cookie();
        for (int i = 0; i < 5; i++) {
          assertThat(ReplicasTest.get(p, "dash", cookie)).isEqualTo(200);
        }
        assertThat(ReplicasTest.get(p, "dash", "not-a-session")).isEqualTo(401);
        kid = p.portcullis().signingKeys().currentKid();
      }
    }
    Path export = dir.resolve("deployment.jsonl");
    Run exported = cli("export", "--data-dir", data.toString(), "-o", export.toString());
    assertThat(exported.status()).as(exported.out()).isZero();
    assertThat(exported.out()).contains("master key");

    String url = postgres.createDatabase("moved");
    Run migrated = cli("migrate", "--data-dir", data.toString(), "--store", url);
    assertThat(migrated.status()).as(migrated.out()).isZero();
    assertThat(migrated.out()).contains("schema version 10");
    Run imported = cli("import", "--data-dir", data.toString(), "--store", url, export.toString());
    assertThat(imported.status()).as(imported.out()).isZero();

    // On SQLite the audit blocks point at the lines in the replica's files; the export carries the lines.
    try (Database sqlite = Database.open(StoreUrl.parse(Optional.empty(), data))) {
      long pointing = sqlite.inTransaction(c -> {
        try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM audit_blocks WHERE lines IS NULL")) {
          rs.next();
          return rs.getLong(1);
        }
      });
      assertThat(pointing).isPositive();
    }
    assertThat(Files.readString(export)).doesNotContain("\"lines\":null");

    // Every row of every table, read back from PostgreSQL, equals what SQLite held.
    Map<String, List<String>> before = rows(data, Optional.empty());
    Map<String, List<String>> after = rows(data, Optional.of(url));
    assertThat(after.keySet()).isEqualTo(before.keySet());
    for (String table : List.of("services", "service_hosts", "groups", "group_members", "service_accounts",
        "access_levels", "iam_policies", "users", "sessions", "signing_keys", "audit_blocks", "meta")) {
      assertThat(before.get(table)).as(table).isNotEmpty();
    }
    before.forEach((table, rows) -> assertThat(after.get(table)).as(table).isEqualTo(rows));

    // The audit chain still verifies against the new store, files included.
    Run verified = cli("audit", "verify", "--data-dir", data.toString(), "--store", url);
    assertThat(verified.status()).as(verified.out()).isZero();
    assertThat(verified.out()).contains("store  replica").contains("intact");
    java.util.regex.Matcher stored = java.util.regex.Pattern.compile("store  replica \\S+: intact: (\\d+) records")
        .matcher(verified.out());
    assertThat(stored.find()).as(verified.out()).isTrue();
    assertThat(Long.parseLong(stored.group(1))).as("audit records moved").isGreaterThanOrEqualTo(6);

    // A second import is refused, and changes nothing.
    Run again = cli("import", "--data-dir", data.toString(), "--store", url, export.toString());
    assertThat(again.status()).isEqualTo(1);
    assertThat(again.out()).contains("not empty");
    assertThat(rows(data, Optional.of(url))).isEqualTo(after);

    // The moved deployment serves: same signing key, the imported session and membership let Ana in.
    try (Upstreams upstreams = new Upstreams();
         TestPortcullis moved = TestPortcullis.start(dir.resolve("pg-replica"), Map.of("store.url", url,
             "keys.master_key_file", data.resolve("master-key").toString()))) {
      assertThat(moved.portcullis().signingKeys().currentKid()).isEqualTo(kid);
      String upstream = upstreams.http(req -> req.response().end("ok"));
      assertThat(moved.admin("PATCH", "/v1/services/dash", new JsonObject().put("upstream", upstream)).status())
          .isEqualTo(200);
      assertThat(ReplicasTest.get(moved, "dash", cookie)).isEqualTo(200);
    }
  }

  @Test
  void aCutExport_isRefused_andNothingIsImported(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    try (TestPortcullis p = TestPortcullis.start(data)) {
      assertThat(p.admin("POST", "/v1/groups", new JsonObject().put("email", "qa@example.com")).status()).isEqualTo(201);
    }
    Path export = dir.resolve("deployment.jsonl");
    assertThat(cli("export", "--data-dir", data.toString(), "-o", export.toString()).status()).isZero();
    List<String> lines = Files.readAllLines(export);
    Files.write(export, lines.subList(0, lines.size() - 1));

    String url = postgres.createDatabase("cut");
    Run imported = cli("import", "--data-dir", data.toString(), "--store", url, export.toString());
    assertThat(imported.status()).isEqualTo(1);
    assertThat(imported.out()).contains("cut short");
    assertThat(rows(data, Optional.of(url)).values()).allSatisfy(rows -> assertThat(rows).isEmpty());
  }

  /** Every table's rows as sorted JSON lines, read through an export of that store. */
  static Map<String, List<String>> rows(Path data, Optional<String> url) throws Exception {
    StringWriter out = new StringWriter();
    try (Database db = Database.open(StoreUrl.parse(url, data))) {
      // As 'portcullis export' does: audit blocks that point at this replica's files get their lines.
      Path auditDir = dev.portcullis.audit.AuditFiles.directory(data);
      StoreTransfer.export(db, out, dev.portcullis.audit.AuditStore.exportWithLines(auditDir));
    }
    Map<String, List<String>> byTable = new TreeMap<>();
    for (String line : out.toString().split("\n")) {
      JsonObject o = new JsonObject(line);
      if (o.containsKey("counts")) {
        o.getJsonObject("counts").fieldNames().forEach(t -> byTable.putIfAbsent(t, List.of()));
      } else if (o.containsKey("table")) {
        byTable.merge(o.getString("table"), List.of(o.getJsonObject("row").encode()),
            (x, y) -> java.util.stream.Stream.concat(x.stream(), y.stream()).collect(Collectors.toList()));
      }
    }
    byTable.replaceAll((t, rows) -> rows.stream().sorted().toList());
    return byTable;
  }
}
