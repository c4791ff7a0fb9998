package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.store.Database;
import dev.portcullis.testing.Clients;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real gateway: N concurrent requests to a service with IAP on give exactly N decision events. */
class DecisionEventsTest {
  @TempDir Path dir;

  @Test
  void everyDecisionIsAuditedOnceAndSurvivesAGracefulShutdown() throws Exception {
    int n = 200;
    try (Upstreams upstreams = new Upstreams()) {
      String upstream = upstreams.http(req -> req.response().end("hello"), ws -> ws.close());
      HttpClient client = upstreams.vertx().createHttpClient();
      try (TestPortcullis portcullis = TestPortcullis.start(dir)) {
        portcullis.createService("open", upstream, new JsonObject().put("iap", true));
        portcullis.createService("shut", upstream, new JsonObject().put("iap", true));
        portcullis.grant("projects/default/services/open", "roles/iap.httpsResourceAccessor", "allUsers");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<Integer>> replies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          String service = i % 2 == 0 ? "open" : "shut";
          String uri = "/r/" + i + "?token=secret";
          replies.add(pool.submit(() ->
              Clients.send(client, Clients.to(portcullis, service, HttpMethod.GET, uri)
                  .putHeader("user-agent", "audit-test")).status()));
        }
        for (int i = 0; i < n; i++) {
          assertThat(replies.get(i).get()).isEqualTo(i % 2 == 0 ? 200 : 401);
        }
        pool.shutdown();
        String text = java.net.http.HttpClient.newHttpClient().send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                "http://127.0.0.1:" + portcullis.adminPort() + "/metrics")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(text).contains("portcullis_audit_decisions_total{outcome=\"deny\",service=\"shut\"} " + (n / 2) + ".0");
        assertThat(text).contains("portcullis_audit_dropped_total 0.0");
      }
    }
    // After close: every event is in the store, once, and the chain verifies.
    try (Database db = Database.openSqlite(dir.resolve("portcullis.db"))) {
      AuditStore store = new AuditStore(db, AuditFiles.directory(dir));
      String replica = AuditFiles.replicaId(AuditFiles.directory(dir));
      List<AuditRecord> denied = store.query(new AuditStore.Filter(null, "shut", "deny", "decision", null, null, 10_000));
      List<AuditRecord> allowed = store.query(new AuditStore.Filter(null, "open", "allow", "decision", null, null, 10_000));
      assertThat(denied).hasSize(n / 2);
      assertThat(allowed).hasSize(n / 2);
      AuditEvent e = denied.getFirst().event();
      assertThat(e.path()).startsWith("/r/").doesNotContain("?").doesNotContain("secret");
      assertThat(e.userAgent()).isEqualTo("audit-test");
      assertThat(e.principal().kind()).isEqualTo("anonymous");
      assertThat(e.method()).isEqualTo("GET");
      assertThat(e.latencyMicros()).isPositive().isLessThan(10_000_000L);
      assertThat(e.requestId()).matches("[0-9a-f]{32}");
      assertThat(allowed.getFirst().event().reason()).contains("allUsers");
      ChainVerifier.Result r = store.verify(replica);
      assertThat(r.ok()).as(r.message()).isTrue();
      assertThat(ChainVerifier.verifyFiles(AuditFiles.directory(dir), replica, ChainVerifier.Anchor.START,
          store.last(replica)).ok()).isTrue();
    }
  }
}
