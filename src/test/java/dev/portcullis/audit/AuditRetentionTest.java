package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent.Outcome;
import dev.portcullis.cli.PortcullisCommand;
import dev.portcullis.store.Database;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Retention drops old events from the store and whole old segments from the files, and what remains
 * still verifies, in the store, in the files and with {@code portcullis audit verify}.
 */
class AuditRetentionTest {
  @TempDir Path dataDir;

  @Test
  void oldEventsArePurged_andTheRestStillVerifies_storeFilesAndCli() throws Exception {
    Instant now = Instant.now();
    Instant old = now.minus(Duration.ofDays(40));
    Instant cutoff = now.minus(Duration.ofDays(30));
    String replica;
    Path auditDir = AuditFiles.directory(dataDir);
    try (Database db = Database.openSqlite(dataDir.resolve("portcullis.db"))) {
      AuditStore store = new AuditStore(db, auditDir);
      List<AuditEvent> events = new java.util.ArrayList<>();
      for (int i = 0; i < 60; i++) {
        events.add(AuditStoreTest.at(old.plusSeconds(i), "user:ann@example.com", "old", Outcome.ALLOW));
      }
      for (int i = 0; i < 20; i++) {
        events.add(AuditStoreTest.at(now.plusMillis(i), "user:ann@example.com", "new", Outcome.DENY));
      }
      replica = write(store, events);
      int segmentsBefore = AuditFiles.segments(auditDir, replica).size();
      assertThat(segmentsBefore).isGreaterThan(3);

      assertThat(store.purgeBefore(cutoff)).containsEntry(replica, 60L);
      long dropped = AuditRetention.purgeFiles(auditDir, replica, cutoff, store.anchor(replica).seq());
      assertThat(dropped).isPositive().isLessThanOrEqualTo(60);
      assertThat(AuditFiles.segments(auditDir, replica).size()).isLessThan(segmentsBefore);
      // Never the newest events, never the last segment.
      assertThat(store.query(new AuditStore.Filter(null, "new", null, null, null, null, 1000))).hasSize(20);
      assertThat(store.query(new AuditStore.Filter(null, "old", null, null, null, null, 1000))).isEmpty();

      ChainVerifier.Result stored = store.verify(replica);
      assertThat(stored.ok()).as(stored.message()).isTrue();
      ChainVerifier.Anchor fileAnchor = AuditRetention.fileAnchor(auditDir, replica);
      assertThat(fileAnchor.seq()).isEqualTo(dropped);
      ChainVerifier.Result files = ChainVerifier.verifyFiles(auditDir, replica, fileAnchor, store.last(replica));
      assertThat(files.ok()).as(files.message()).isTrue();
      // A second run finds nothing more to drop.
      assertThat(AuditRetention.purgeFiles(auditDir, replica, cutoff, store.lastSeq(replica))).isZero();
    }
    assertThat(verifyCli()).startsWith("0\n").contains("intact");

    // Removing a segment after the anchor is still caught.
    List<Path> segments = AuditFiles.segments(auditDir, replica);
    assertThat(Files.size(segments.get(0))).isPositive();
    Files.delete(segments.get(0));
    String out = verifyCli();
    assertThat(out).startsWith("1\n").contains("removed");
  }

  @Test
  void aCrashBetweenAnchorAndDeletion_skipsTheSegmentsTheAnchorCovers() throws Exception {
    Instant old = Instant.now().minus(Duration.ofDays(40));
    String replica;
    Path auditDir = AuditFiles.directory(dataDir);
    try (Database db = Database.openSqlite(dataDir.resolve("portcullis.db"))) {
      AuditStore store = new AuditStore(db, auditDir);
      List<AuditEvent> events = new java.util.ArrayList<>();
      for (int i = 0; i < 40; i++) {
        events.add(AuditStoreTest.at(old.plusSeconds(i), "user:bo@example.com", "svc", Outcome.ALLOW));
      }
      replica = write(store, events);
      List<Path> segments = AuditFiles.segments(auditDir, replica);
      Path keep = dataDir.resolve("first-segment");
      Files.copy(segments.get(0), keep);
      AuditRetention.purgeFiles(auditDir, replica, Instant.now(), store.lastSeq(replica));
      // As if the process died after writing the anchor but before deleting the first segment.
      Files.copy(keep, segments.get(0));
      ChainVerifier.Result files = ChainVerifier.verifyFiles(auditDir, replica,
          AuditRetention.fileAnchor(auditDir, replica), store.last(replica));
      assertThat(files.ok()).as(files.message()).isTrue();
    }
  }

  /**
   * Writes the events through the log and a copier into the store, a commit every ten, in 2 kB segments
   * (so old events fill several whole ones: segments roll between commits); returns the replica.
   */
  private String write(AuditStore store, List<AuditEvent> events) throws Exception {
    StoreCopier copier = new StoreCopier(store);
    String replica;
    try (AuditLog log = StoreCopier.openLog(dataDir, new AuditLog.Options(1024, 50, 2_000), copier)) {
      replica = log.replica();
      for (int i = 0; i < events.size(); i++) {
        log.record(events.get(i));
        if (i % 10 == 9) {
          log.sync();
        }
      }
      assertThat(copier.awaitStored(log.sync(), 5_000)).isTrue();
    }
    copier.close();
    return replica;
  }

  private String verifyCli() {
    CommandLine cl = PortcullisCommand.commandLine(Map.of());
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(out, true));
    int status = cl.execute("audit", "verify", "--data-dir", dataDir.toString());
    return status + "\n" + out;
  }
}
