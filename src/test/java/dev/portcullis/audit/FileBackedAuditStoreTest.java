package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent.Outcome;
import dev.portcullis.store.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store beside the replica's own files: blocks point at the lines in the segment files
 * instead of holding a second copy, and everything that reads lines (queries, verify, retention, replay)
 * reads them from there, and catches a file that was changed under them.
 */
class FileBackedAuditStoreTest {
  @TempDir Path dataDir;
  Database db;
  AuditStore store;
  Path auditDir;

  @BeforeEach
  void open() {
    db = Database.openSqlite(dataDir.resolve("store.db"));
    auditDir = AuditFiles.directory(dataDir);
    store = new AuditStore(db, auditDir);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void aCommitWindowPointsAtTheSameLinesAsItsRecordsDo() throws Exception {
    List<List<List<String>>> both = AuditStoreTest.storedBothWays(dataDir, db, store);
    assertThat(both.get(0)).hasSizeGreaterThan(1).isEqualTo(both.get(1));
    assertThat(both.get(0)).allSatisfy(row -> {
      assertThat(row.get(9)).as("lines: pointed at, not held").isNull();
      assertThat(row.get(10)).as("segment").isNotNull();
    });
  }

  /** Writes n events through the log and the copier, in several commits and segments; returns the replica. */
  private String write(int n, AuditLog.Options options) throws Exception {
    StoreCopier copier = new StoreCopier(store);
    String replica;
    try (AuditLog log = StoreCopier.openLog(dataDir, options, copier)) {
      replica = log.replica();
      for (int i = 0; i < n; i++) {
        log.record(AuditStoreTest.at(Instant.parse("2026-11-23T10:00:00Z").plusSeconds(i),
            i % 3 == 0 ? "ann@example.com" : "bob@example.com", i % 2 == 0 ? "dash" : "wiki",
            i % 5 == 0 ? Outcome.DENY : Outcome.ALLOW));
        if (i % 40 == 39) {
          log.sync(); // a commit, so a block, every 40 events
        }
      }
      assertThat(copier.awaitStored(log.sync(), 10_000)).isTrue();
    }
    copier.close();
    return replica;
  }

  private long count(String where) {
    return db.inTransaction(c -> {
      try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM audit_blocks WHERE " + where)) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  private List<String> fileLines(String replica) throws Exception {
    List<String> out = new java.util.ArrayList<>();
    for (Path p : AuditFiles.segments(auditDir, replica)) {
      out.addAll(Files.readAllLines(p, StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void blocksPointAtTheFilesAndGiveBackExactlyTheLinesWritten() throws Exception {
    String replica = write(200, new AuditLog.Options(1024, 50, 8_000)); // segments of about 8 kB
    assertThat(AuditFiles.segments(auditDir, replica)).hasSizeGreaterThan(3);
    assertThat(count("1 = 1")).isGreaterThanOrEqualTo(5);
    assertThat(count("lines IS NOT NULL")).as("every block points at the files").isZero();

    List<String> written = fileLines(replica);
    assertThat(written).hasSize(200);
    List<String> found = store.query(new AuditStore.Filter(null, null, null, null, null, null, 1000)).stream()
        .map(AuditRecord::line).toList();
    assertThat(found).containsExactlyElementsOf(written.reversed());
    assertThat(store.query(new AuditStore.Filter("user:ann@example.com", "dash", "deny", null, null, null, 1000)))
        .extracting(AuditRecord::seq).containsExactly(181L, 151L, 121L, 91L, 61L, 31L, 1L);

    ChainVerifier.Result r = store.verify(replica);
    assertThat(r.ok()).as(r.message()).isTrue();
    assertThat(r.records()).isEqualTo(200);
    assertThat(ChainVerifier.verifyFiles(auditDir, replica, ChainVerifier.Anchor.START, store.last(replica)).ok())
        .isTrue();
  }

  @Test
  void whatACrashLeftOutIsReplayedAsBlocksThatPointAtTheRightBytes() throws Exception {
    String replica;
    try (AuditLog log = AuditLog.open(dataDir, new AuditLog.Options(1024, 50, 4_000), records -> {})) {
      replica = log.replica();
      for (int i = 0; i < 50; i++) {
        log.record(AuditLogTest.decision("r" + i));
        if (i % 10 == 9) {
          log.sync(); // segments roll after a commit that took them past 4 kB
        }
      }
    }
    assertThat(store.replay(auditDir, replica)).isEqualTo(50);
    assertThat(count("lines IS NULL")).isEqualTo(count("1 = 1")).isGreaterThan(1);
    assertThat(store.replay(auditDir, replica)).isZero();
    ChainVerifier.Result r = store.verify(replica);
    assertThat(r.ok()).as(r.message()).isTrue();
    assertThat(r.records()).isEqualTo(50);
    assertThat(store.query(new AuditStore.Filter(null, null, null, null, null, null, 100)))
        .extracting(AuditRecord::line).containsExactlyElementsOf(fileLines(replica).reversed());
  }

  @Test
  void aFileEditedUnderTheStoreIsCaughtByItsVerify() throws Exception {
    String replica = write(100, AuditLog.Options.DEFAULTS);
    Path segment = AuditFiles.segments(auditDir, replica).getFirst();
    String text = Files.readString(segment);

    // The same length: record 6's path changed from "/" to "x".
    List<String> lines = new java.util.ArrayList<>(List.of(text.split("\n")));
    lines.set(5, lines.get(5).replace("\"path\":\"/\"", "\"path\":\"x\""));
    Files.writeString(segment, String.join("\n", lines) + "\n");
    ChainVerifier.Result edited = store.verify(replica);
    assertThat(edited.problem()).isEqualTo(ChainVerifier.Problem.EDITED);
    assertThat(edited.seq()).isEqualTo(6);

    // A line removed: what the blocks point at no longer lines up.
    lines = new java.util.ArrayList<>(List.of(text.split("\n")));
    lines.remove(5);
    Files.writeString(segment, String.join("\n", lines) + "\n");
    assertThat(store.verify(replica).ok()).isFalse();

    // The file gone: reported, and a query still answers (without those records).
    Files.delete(segment);
    ChainVerifier.Result missing = store.verify(replica);
    assertThat(missing.ok()).isFalse();
    assertThat(missing.message()).contains("missing");
    assertThat(store.query(new AuditStore.Filter(null, null, null, null, null, null, 10))).isEmpty();

    // Put back as written, it verifies again.
    Files.writeString(segment, text);
    assertThat(store.verify(replica).ok()).isTrue();
  }

  @Test
  void retentionCutsABlockThatPointsAtTheFilesAndTheRestStillReads() throws Exception {
    Instant old = Instant.parse("2026-01-01T00:00:00Z");
    Instant recent = Instant.parse("2026-11-01T00:00:00Z");
    String replica;
    try (AuditLog log = AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, records -> {})) {
      replica = log.replica();
      for (int i = 0; i < 6; i++) {
        log.record(AuditStoreTest.at(i < 4 ? old : recent, "ann@example.com", "dash", Outcome.ALLOW));
      }
    }
    store.replay(auditDir, replica);
    assertThat(count("1 = 1")).isEqualTo(1);
    assertThat(store.purgeBefore(Instant.parse("2026-06-01T00:00:00Z"))).containsEntry(replica, 4L);
    assertThat(count("lines IS NULL AND first_seq = 5 AND last_seq = 6")).isEqualTo(1);
    ChainVerifier.Result r = store.verify(replica);
    assertThat(r.ok()).as(r.message()).isTrue();
    assertThat(r.records()).isEqualTo(2);
    assertThat(store.query(new AuditStore.Filter(null, null, null, null, null, null, 10)))
        .extracting(AuditRecord::line).containsExactlyElementsOf(fileLines(replica).subList(4, 6).reversed());
  }

  @Test
  void recordsWithoutAPlaceInTheFilesAreHeldInOneBlock() {
    // As after an import from PostgreSQL: the records are not in this replica's files.
    List<AuditRecord> records = new java.util.ArrayList<>();
    String prev = AuditRecord.GENESIS;
    for (int i = 1; i <= 3; i++) {
      AuditRecord r = AuditRecord.seal(i, prev, AuditLogTest.decision("r" + i));
      prev = r.hash();
      records.add(new AuditRecord(r.seq(), r.prev(), r.hash(), r.line()));
    }
    assertThat(store.insert("elsewhere", records)).isEqualTo(3);
    assertThat(count("1 = 1")).isEqualTo(1);
    assertThat(count("lines IS NOT NULL AND segment IS NULL AND records = 3")).isEqualTo(1);
    assertThat(store.verify("elsewhere").ok()).isTrue();
  }

  @Test
  void aCommitWindowPastTheBlockLimitsIsStoredAsTheBlocksItsRecordsMake_withoutReadingThem() throws Exception {
    // A window grows past the block limits when its fsync waits long under load (seconds, on a slow
    // disk): the writer cuts it into the store's blocks as it seals, so it is stored without reading its
    // records back and parsing each one, and as the same blocks as its records one by one.
    List<List<AuditRecord>> windows = new java.util.concurrent.CopyOnWriteArrayList<>();
    String replica;
    String agent = "Mozilla/5.0 " + "x".repeat(3000);
    try (AuditLog log = AuditLog.open(dataDir, new AuditLog.Options(65_536, 600_000, 64L << 20), windows::add)) {
      replica = log.replica();
      log.record(AuditLogTest.decision("first"));
      log.sync(); // the first window; the rest wait for the next sync (the commit interval is ten minutes)
      for (int i = 0; i < 1800; i++) {
        log.record(AuditEvent.decision(Instant.parse("2026-11-23T10:00:00Z").plusMillis(i), "big-" + i,
            i % 3 == 0 ? AuditEvent.Principal.ANONYMOUS : new AuditEvent.Principal("u" + i % 5 + "@example.com",
                "s", "google", "user"), "192.0.2.1", agent, i % 2 == 0 ? "dash" : "wiki", "GET", "dash.example.com",
            "/", i % 7 == 0 ? Outcome.DENY : Outcome.ALLOW, "why", 1));
      }
      log.sync();
    }
    AuditCommit big = (AuditCommit) windows.stream().max(java.util.Comparator.comparingInt(List::size)).orElseThrow();
    assertThat(big.size()).isEqualTo(1800);
    assertThat(big.byteLength()).as("past the limit of a block").isGreaterThan(2L * AuditStore.BLOCK_CHARS);
    assertThat(big.oneRun()).isTrue();
    assertThat(big.parts()).as("cut as it was sealed").hasSize(3);

    // Stored as a window and as its records one by one, each in a store of its own, pointing at the file
    // and holding the lines: the same rows.
    for (boolean point : List.of(true, false)) {
      List<List<List<String>>> both = new java.util.ArrayList<>();
      for (boolean asWindow : List.of(true, false)) {
        Database other = Database.openSqlite(dataDir.resolve("other-" + point + "-" + asWindow + ".db"));
        try {
          AuditStore s = point ? new AuditStore(other, auditDir) : new AuditStore(other);
          int added = 0;
          for (List<AuditRecord> w : windows) {
            added += asWindow ? s.insertAll(replica, List.of(w)) : s.insert(replica, new java.util.ArrayList<>(w));
          }
          assertThat(added).isEqualTo(1801);
          both.add(AuditStoreTest.rows(other, replica));
        } finally {
          other.close();
        }
      }
      assertThat(both.get(0)).hasSize(4).isEqualTo(both.get(1));
      assertThat(both.get(0)).allSatisfy(row -> assertThat(row.get(9) == null).isEqualTo(point));
    }
    assertThat(store.insertAll(replica, windows)).isEqualTo(1801);
    ChainVerifier.Result r = store.verify(replica);
    assertThat(r.ok()).as(r.message()).isTrue();
    assertThat(r.records()).isEqualTo(1801);
    assertThat(store.query(new AuditStore.Filter(null, null, null, null, null, null, 5000))).hasSize(1801);
    assertThat(store.query(new AuditStore.Filter("user:u1@example.com", "wiki", "deny", null, null, null, 5000)))
        .extracting(x -> x.event().requestId())
        .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 1800)
            .filter(i -> i % 3 != 0 && i % 5 == 1 && i % 2 == 1 && i % 7 == 0).mapToObj(i -> "big-" + i).toList());
  }
}
