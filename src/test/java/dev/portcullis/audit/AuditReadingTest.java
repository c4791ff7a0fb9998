package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.cli.PortcullisCommand;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Reading the audit log: the JSON Lines file sink, the query string setting, refusals before IAM, and
 * the CLI's query and tail against a running Portcullis.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditReadingTest {
  @TempDir static Path dir;
  Upstreams upstreams;
  TestPortcullis portcullis;
  Path sinkFile;

  @BeforeAll
  void start() throws Exception {
    upstreams = new Upstreams();
    String upstream = upstreams.http(req -> req.response().end("ok"));
    sinkFile = dir.resolve("shipper").resolve("audit.jsonl");
    Files.createDirectories(sinkFile.getParent());
    portcullis = TestPortcullis.start(dir.resolve("data"), Map.of("audit.file", sinkFile.toString(),
        "audit.include_query", "true"));
    portcullis.createService("books", upstream, new JsonObject().put("iap", true));
    portcullis.grant("projects/default/services/books", "roles/iap.httpsResourceAccessor", "allUsers");
    portcullis.createService("vault", upstream, new JsonObject().put("iap", true));
  }

  @AfterAll
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
  }

  private RawHttp.Reply request(String service, String target, String... headers) throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add("GET " + target + " HTTP/1.1");
    lines.add("Host: " + portcullis.hostOf(service));
    lines.add("Accept: application/json");
    lines.addAll(Arrays.asList(headers));
    lines.add("Connection: close");
    return RawHttp.send(portcullis.port(), lines.toArray(String[]::new));
  }

  @Test
  void fileSink_getsEveryCommittedLine_andTheQueryStringIsKeptWhenConfigured() throws Exception {
    assertThat(request("books", "/page?q=kept").status()).isEqualTo(200);
    assertThat(request("vault", "/x", "Authorization: Bearer not-a-jwt").status()).isEqualTo(401);
    portcullis.portcullis().auditLog().sync();

    List<JsonObject> sunk = awaitLines(2);
    JsonObject allowed = sunk.stream().filter(e -> "decision".equals(e.getString("kind")))
        .filter(e -> "books".equals(e.getString("service"))).findFirst().orElseThrow();
    assertThat(allowed.getString("path")).isEqualTo("/page?q=kept");
    assertThat(allowed.getString("decision")).isEqualTo("allow");
    // The sink writes the sealed line itself: it verifies on its own.
    assertThat(AuditRecord.parse(allowed.encode()).intact()).isTrue();

    JsonObject bearer = sunk.stream().filter(e -> "decision".equals(e.getString("kind")))
        .filter(e -> "vault".equals(e.getString("service"))).findFirst().orElseThrow();
    assertThat(bearer.getString("decision")).isEqualTo("deny");
    assertThat(bearer.getString("reason")).startsWith("invalid bearer token");
    assertThat(bearer.getJsonObject("principal").getString("kind")).isEqualTo("anonymous");
  }

  private List<JsonObject> awaitLines(int atLeast) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<JsonObject> out = List.of();
    while (System.nanoTime() < deadline) {
      if (Files.exists(sinkFile)) {
        out = Files.readAllLines(sinkFile).stream().filter(l -> !l.isBlank()).map(JsonObject::new).toList();
        if (out.stream().filter(e -> "decision".equals(e.getString("kind"))).count() >= atLeast) {
          return out;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the file sink holds only " + out);
  }

  record Run(int exit, String out, String err) {}

  private Run cli(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(List.of("--admin-url", portcullis.adminUrl(), "--token-file",
        dir.resolve("data").resolve("admin-token").toString()));
    CommandLine cl = PortcullisCommand.commandLine(Map.of());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(all.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void cliQuery_filtersAsAsked_inTableAndJson() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(request("vault", "/denied-" + i).status()).isEqualTo(401);
    }
    assertThat(request("books", "/fine").status()).isEqualTo(200);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Run json;
    do {
      Thread.sleep(50);
      json = cli("audit", "query", "--service", "vault", "--decision", "deny", "--kind", "decision", "--since", "1h", "--format", "json");
    } while (json.out().lines().filter(l -> l.contains("/denied-")).count() < 3 && System.nanoTime() < deadline);
    assertThat(json.exit()).as(json.err()).isZero();
    List<JsonObject> events = json.out().lines().map(JsonObject::new).toList();
    assertThat(events).allSatisfy(e -> {
      assertThat(e.getString("service")).isEqualTo("vault");
      assertThat(e.getString("decision")).isEqualTo("deny");
    });
    assertThat(events.stream().filter(e -> e.getString("path").startsWith("/denied-")).count()).isEqualTo(3);

    Run table = cli("audit", "query", "--service", "vault", "--limit", "2");
    assertThat(table.exit()).as(table.err()).isZero();
    assertThat(table.out().lines().findFirst().orElseThrow()).startsWith("TIME").contains("WHO").contains("OUTCOME");
    assertThat(table.out().lines().count()).isEqualTo(3);
    assertThat(table.out()).contains("deny").contains("anonymous").doesNotContain("books");

    Run bad = cli("audit", "query", "--decision", "perhaps");
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.err()).contains("--decision");
  }

  @Test
  void cliTail_printsNewEventsAsTheyAreStored() throws Exception {
    assertThat(request("books", "/before-tail").status()).isEqualTo(200);
    awaitStored("/before-tail");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = PortcullisCommand.commandLine(Map.of());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    var pool = java.util.concurrent.Executors.newSingleThreadExecutor();
    var tail = pool.submit(() -> cl.execute("audit", "tail", "--service", "books", "--kind", "decision",
        "--lines", "1", "--interval", "200ms", "--max-events", "3", "--format", "json",
        "--admin-url", portcullis.adminUrl(), "--token-file", dir.resolve("data").resolve("admin-token").toString()));
    // Once it has printed the newest past event, it follows from there.
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (out.toString().lines().findAny().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(out.toString()).as(err.toString()).contains("/before-tail");
    assertThat(request("books", "/tailed-1").status()).isEqualTo(200);
    assertThat(request("vault", "/not-this-one").status()).isEqualTo(401);
    assertThat(request("books", "/tailed-2").status()).isEqualTo(200);
    int exit = tail.get(30, TimeUnit.SECONDS);
    pool.shutdown();
    assertThat(exit).as(err.toString()).isZero();
    List<String> paths = out.toString().lines().map(l -> new JsonObject(l).getString("path")).toList();
    assertThat(paths).containsExactly("/before-tail", "/tailed-1", "/tailed-2");
  }

  private void awaitStored(String path) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (portcullis.admin("GET", "/v1/audit/events?kind=decision&limit=1000", null).body().encode()
          .contains("\"" + path + "\"")) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError(path + " was never stored");
  }
}
