package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.store.Database;
import dev.portcullis.testing.Clients;
import dev.portcullis.testing.ForkedPortcullis;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a real process: what was answered more than one commit window before the kill is in the
 * file; the next start replays the file into the store; nothing is stored twice and the chain verifies.
 */
class KillNineTest {
  @TempDir Path dir;

  static int send(HttpClient client, ForkedPortcullis p, String uri) {
    return Clients.send(client, new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
        .setPort(p.port()).setURI(uri).putHeader("host", p.hostOf("shut"))).status();
  }

  @Test
  void decisionsSurviveKillNineAndAreReplayedOnceIntoTheStore() throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpClient client = vertx.createHttpClient();
    int before = 150;
    int burst = 100;
    try {
      ForkedPortcullis first = ForkedPortcullis.start(dir, List.of("-Xmx256m"));
      try {
        first.createService("shut", "http://127.0.0.1:9", new JsonObject().put("iap", true));
        for (int i = 0; i < before; i++) {
          assertThat(send(client, first, "/before/" + i)).isEqualTo(401);
        }
        Thread.sleep(300); // well past the 50 ms commit window
        for (int i = 0; i < burst; i++) {
          assertThat(send(client, first, "/burst/" + i)).isEqualTo(401);
        }
      } finally {
        first.kill();
      }
      Path auditDir = AuditFiles.directory(dir);
      String replica = AuditFiles.replicaId(auditDir);
      // Everything answered before the pause is in the file; only the burst's last window may be missing.
      ChainVerifier.Result file = ChainVerifier.verifyFiles(auditDir, replica, ChainVerifier.Anchor.START, null);
      assertThat(file.ok() || file.problem() == ChainVerifier.Problem.TRUNCATED).as(file.message()).isTrue();
      long inFile = file.last().seq();
      assertThat(inFile).isGreaterThanOrEqualTo(before);

      ForkedPortcullis second = ForkedPortcullis.start(dir, List.of("-Xmx256m"));
      assertThat(send(client, second, "/after")).isEqualTo(401);
      second.close(); // graceful: nothing lost
    } finally {
      vertx.close();
    }
    try (Database db = Database.openSqlite(dir.resolve("portcullis.db"))) {
      AuditStore store = new AuditStore(db, AuditFiles.directory(dir));
      String replica = AuditFiles.replicaId(AuditFiles.directory(dir));
      List<AuditRecord> events = store.query(new AuditStore.Filter(null, "shut", "deny", "decision", null, null,
          10_000));
      long beforeCount = events.stream().filter(r -> r.event().path().startsWith("/before/")).count();
      long burstCount = events.stream().filter(r -> r.event().path().startsWith("/burst/")).count();
      long afterCount = events.stream().filter(r -> r.event().path().equals("/after")).count();
      assertThat(beforeCount).isEqualTo(before);
      assertThat(burstCount).isBetween(0L, (long) burst);
      assertThat(afterCount).isEqualTo(1);
      assertThat(events.stream().map(r -> r.event().path()).distinct().count()).isEqualTo(events.size());
      ChainVerifier.Result r = store.verify(replica);
      assertThat(r.ok()).as(r.message()).isTrue();
      assertThat(ChainVerifier.verifyFiles(AuditFiles.directory(dir), replica, ChainVerifier.Anchor.START,
          store.last(replica)).ok()).isTrue();
    }
  }
}
