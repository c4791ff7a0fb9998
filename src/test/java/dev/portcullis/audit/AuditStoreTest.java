package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent.Outcome;
import dev.portcullis.audit.AuditEvent.Principal;
import dev.portcullis.store.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditStoreTest {
  @TempDir Path dataDir;
  Database db;
  AuditStore store;

  @BeforeEach
  void open() throws Exception {
    db = newDatabase();
    store = new AuditStore(db);
  }

  /** The store under test: SQLite here, PostgreSQL in {@link PostgresAuditStoreTest}; same contract. */
  Database newDatabase() throws Exception {
    return Database.openSqlite(dataDir.resolve("store.db"));
  }

  @AfterEach
  void close() {
    db.close();
  }

  static AuditEvent at(Instant time, String member, String service, Outcome outcome) {
    return AuditEvent.decision(time, "r", new Principal(member, member, "google", "user"), "192.0.2.1", "ua",
        service, "GET", service + ".example.com", "/", outcome, "why", 10);
  }

  @Test
  void committedRecordsReachTheStoreOnceAndVerify() throws Exception {
    StoreCopier copier = new StoreCopier(store);
    String replica;
    try (AuditLog log = StoreCopier.openLog(dataDir, AuditLog.Options.DEFAULTS, copier)) {
      replica = log.replica();
      for (int i = 0; i < 100; i++) {
        log.record(AuditLogTest.decision("r" + i));
      }
      long seq = log.sync();
      assertThat(copier.awaitStored(seq, 5_000)).isTrue();
    }
    copier.close();
    assertThat(store.lastSeq(replica)).isEqualTo(100);
    // Replaying the same file again adds nothing.
    assertThat(store.replay(AuditFiles.directory(dataDir), replica)).isZero();
    ChainVerifier.Result r = store.verify(replica);
    assertThat(r.ok()).as(r.message()).isTrue();
    assertThat(r.records()).isEqualTo(100);
    // The file checked against the store: intact and complete.
    assertThat(ChainVerifier.verifyFiles(AuditFiles.directory(dataDir), replica, ChainVerifier.Anchor.START,
        store.last(replica)).ok()).isTrue();
  }

  @Test
  void whatTheStoreMissedIsReplayedOnStart() throws Exception {
    String replica;
    try (AuditLog log = AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, records -> {})) {
      replica = log.replica();
      for (int i = 0; i < 20; i++) {
        log.record(AuditLogTest.decision("r" + i));
      }
    }
    // Pretend the store got only the first 5 before a crash.
    List<AuditRecord> firstFive = Files.readAllLines(
            AuditFiles.segments(AuditFiles.directory(dataDir), replica).getFirst(), StandardCharsets.UTF_8)
        .stream().limit(5).map(AuditRecord::parse).toList();
    store.insert(replica, firstFive);

    StoreCopier copier = new StoreCopier(store);
    try (AuditLog log = StoreCopier.openLog(dataDir, AuditLog.Options.DEFAULTS, copier)) {
      log.record(AuditLogTest.decision("after"));
      assertThat(copier.awaitStored(log.sync(), 5_000)).isTrue();
    }
    copier.close();
    assertThat(store.lastSeq(replica)).isEqualTo(21);
    ChainVerifier.Result r = store.verify(replica);
    assertThat(r.ok()).as(r.message()).isTrue();
    assertThat(r.records()).isEqualTo(21);
  }

  @Test
  void tamperingWithTheStoreIsCaught() throws Exception {
    String replica;
    try (AuditLog log = AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, records -> {})) {
      replica = log.replica();
      for (int i = 0; i < 10; i++) {
        log.record(AuditLogTest.decision("r" + i));
      }
    }
    store.replay(AuditFiles.directory(dataDir), replica);
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE audit_events SET json = replace(json, '\"allow\"', '\"deny\"') WHERE seq = 6")) {
        ps.executeUpdate();
      }
      return null;
    });
    ChainVerifier.Result edited = store.verify(replica);
    assertThat(edited.problem()).isEqualTo(ChainVerifier.Problem.EDITED);
    assertThat(edited.seq()).isEqualTo(6);

    db.inTransaction(c -> c.createStatement().executeUpdate("DELETE FROM audit_events WHERE seq = 6"));
    ChainVerifier.Result removed = store.verify(replica);
    assertThat(removed.problem()).isEqualTo(ChainVerifier.Problem.REMOVED);
    assertThat(removed.seq()).isEqualTo(6);
  }

  @Test
  void retentionPurgesAPrefixAndTheRestStillVerifies() throws Exception {
    Instant old = Instant.parse("2026-01-01T00:00:00Z");
    Instant recent = Instant.parse("2026-11-01T00:00:00Z");
    String replica;
    try (AuditLog log = AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, records -> {})) {
      replica = log.replica();
      for (int i = 0; i < 4; i++) {
        log.record(at(old, "ann@example.com", "dash", Outcome.ALLOW));
      }
      for (int i = 0; i < 3; i++) {
        log.record(at(recent, "bob@example.com", "wiki", Outcome.DENY));
      }
    }
    store.replay(AuditFiles.directory(dataDir), replica);
    assertThat(store.purgeBefore(Instant.parse("2026-06-01T00:00:00Z"))).containsEntry(replica, 4L);
    assertThat(store.anchor(replica).seq()).isEqualTo(4);
    ChainVerifier.Result r = store.verify(replica);
    assertThat(r.ok()).as(r.message()).isTrue();
    assertThat(r.records()).isEqualTo(3);
  }

  @Test
  void queriesFilterByMemberServiceDecisionAndTime() throws Exception {
    Instant t0 = Instant.parse("2026-11-23T10:00:00Z");
    String replica;
    try (AuditLog log = AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, records -> {})) {
      replica = log.replica();
      log.record(at(t0, "ann@example.com", "dash", Outcome.ALLOW));
      log.record(at(t0.plusSeconds(60), "ann@example.com", "dash", Outcome.DENY));
      log.record(at(t0.plusSeconds(120), "bob@example.com", "dash", Outcome.DENY));
      log.record(at(t0.plusSeconds(180), "ann@example.com", "wiki", Outcome.DENY));
    }
    store.replay(AuditFiles.directory(dataDir), replica);
    List<AuditRecord> hits = store.query(new AuditStore.Filter("user:ann@example.com", "dash", "deny", null,
        t0, null, 50));
    assertThat(hits).extracting(AuditRecord::seq).containsExactly(2L);
    assertThat(store.query(new AuditStore.Filter(null, null, "deny", null, t0.plusSeconds(100), null, 50)))
        .extracting(AuditRecord::seq).containsExactly(4L, 3L);
  }

  @Test
  void aCursorFollowsEachReplicasChain_soEventsStoredLateWithOlderTimesAreNotSkipped() throws Exception {
    Instant t0 = Instant.parse("2026-11-23T10:00:00Z");
    List<AuditRecord> a = chain(t0.plusSeconds(100), 3);
    List<AuditRecord> b = chain(t0, 2); // another replica's events, older, copied later
    store.insert("replicaa", a);
    AuditStore.Page first = store.find(new AuditStore.Filter(null, null, null, null, null, null, 10));
    assertThat(first.events()).hasSize(3);
    AuditStore.Cursor cursor = AuditStore.Cursor.parse(first.cursor().encode()).orElseThrow();
    assertThat(store.find(new AuditStore.Filter(null, null, null, null, null, null, 10, cursor)).events()).isEmpty();

    store.insert("replicab", b);
    store.insert("replicaa", chain(t0.plusSeconds(100), 4).subList(3, 4));
    AuditStore.Page next = store.find(new AuditStore.Filter(null, null, null, null, null, null, 10, cursor));
    assertThat(next.events()).extracting(s -> s.replica() + ":" + s.record().seq())
        .containsExactly("replicaa:4", "replicab:1", "replicab:2");
    // Paging one at a time gives the same events, none twice.
    AuditStore.Cursor c = cursor;
    List<String> paged = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      AuditStore.Page p = store.find(new AuditStore.Filter(null, null, null, null, null, null, 1, c));
      p.events().forEach(s -> paged.add(s.replica() + ":" + s.record().seq()));
      c = p.cursor();
    }
    assertThat(paged).containsExactly("replicaa:4", "replicab:1", "replicab:2");
    assertThat(AuditStore.Cursor.parse("x;y")).isEmpty();
    assertThat(AuditStore.Cursor.parse("a:1,b:x")).isEmpty();
  }

  private static List<AuditRecord> chain(Instant from, int n) {
    List<AuditRecord> out = new java.util.ArrayList<>();
    String prev = AuditRecord.GENESIS;
    for (int i = 1; i <= n; i++) {
      AuditRecord r = AuditRecord.seal(i, prev, at(from.plusSeconds(i), "ann@example.com", "dash", Outcome.ALLOW));
      prev = r.hash();
      out.add(r);
    }
    return out;
  }
}
