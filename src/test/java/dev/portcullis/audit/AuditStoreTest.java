package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent.Outcome;
import dev.portcullis.audit.AuditEvent.Principal;
import dev.portcullis.store.Database;
import dev.portcullis.store.StoreUrl;
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

  /** Records a-0 to a-4, waits until the store has them, and returns the length of each one's line. */
  private static long fiveStored(AuditLog log, StoreCopier copier) throws Exception {
    for (int i = 0; i < 5; i++) {
      log.record(AuditLogTest.decision("a-" + i));
    }
    assertThat(copier.awaitStored(log.sync(), 5_000)).isTrue();
    return Files.size(AuditFiles.segments(log.directory(), log.replica()).getLast()) / 5;
  }

  @Test
  void recordsHeldBackAfterAWriteErrorAreCopiedFromTheFileBeforeTheNextWindowIsStored() throws Exception {
    StoreCopier copier = new StoreCopier(store);
    FaultyChannel.Faults faults = new FaultyChannel.Faults();
    String replica;
    Path shipped = dataDir.resolve("shipped.jsonl");
    LineSinks sinks = new LineSinks(java.util.Optional.of(shipped), java.util.Optional.empty());
    // A commit interval of a minute: after the first commit, records wait for a sync, and go to the file
    // in one write whenever the writer happens to take them.
    AuditLog.Options slow = new AuditLog.Options(65_536, 60_000, 64L << 20);
    try (AuditLog log = StoreCopier.openLog(dataDir, slow, copier, sinks, faults)) {
      replica = log.replica();
      long lineBytes = fiveStored(log, copier);
      // A write fails after two whole lines, and so does the fsync meant to make them durable: the writer
      // holds them back from the store, though the file keeps them and the chain goes on from them.
      faults.cutNextWriteAfter(lineBytes * 2 + 7);
      faults.failForces(1);
      for (int i = 0; i < 4; i++) {
        log.record(AuditLogTest.decision("b-" + i));
      }
      assertThat(log.sync()).isEqualTo(5);
      for (int i = 0; i < 3; i++) {
        log.record(AuditLogTest.decision("c-" + i));
      }
      assertThat(log.sync()).isEqualTo(10);
      assertThat(copier.awaitStored(10, 5_000)).isTrue();
    }
    copier.close();
    assertThat(store.lastSeq(replica)).isEqualTo(10);
    ChainVerifier.Result r = store.verify(replica);
    assertThat(r.ok()).as(r.message()).isTrue();
    assertThat(r.records()).isEqualTo(10);
    AuditStore.Filter all = new AuditStore.Filter(null, null, null, null, null, null, 100);
    assertThat(store.query(all)).extracting(s -> s.event().requestId()).containsExactlyInAnyOrder(
        "a-0", "a-1", "a-2", "a-3", "a-4", "b-0", "b-1", "c-0", "c-1", "c-2");
    // The line sinks get the held-back records too, once, read from the file just before the window
    // that followed them.
    sinks.close();
    List<String> lines = Files.readAllLines(shipped);
    assertThat(lines).extracting(l -> AuditRecord.parse(l).seq())
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    assertThat(lines).extracting(l -> AuditRecord.parse(l).event().requestId()).contains("b-0", "b-1");
    assertThat(lines).containsExactlyElementsOf(
        Files.readAllLines(AuditFiles.segments(AuditFiles.directory(dataDir), replica).getLast()));

    // After a restart, the sinks get only what this process records: the earlier one's sinks had the
    // rest, even when the first window after the start follows a hole.
    StoreCopier again = new StoreCopier(store);
    Path shippedAgain = dataDir.resolve("shipped-again.jsonl");
    LineSinks sinksAgain = new LineSinks(java.util.Optional.of(shippedAgain), java.util.Optional.empty());
    try (AuditLog log = StoreCopier.openLog(dataDir, slow, again, sinksAgain, faults)) {
      log.record(AuditLogTest.decision("w"));
      assertThat(log.sync()).isEqualTo(11);
      long lineBytes = Files.size(shipped) / 10;
      faults.cutNextWriteAfter(lineBytes + 7);
      faults.failForces(1);
      for (int i = 0; i < 3; i++) {
        log.record(AuditLogTest.decision("d-" + i));
      }
      assertThat(log.sync()).as("held back").isEqualTo(11);
      log.record(AuditLogTest.decision("e"));
      assertThat(log.sync()).isEqualTo(13);
      assertThat(again.awaitStored(13, 5_000)).isTrue();
    }
    again.close();
    sinksAgain.close();
    assertThat(Files.readAllLines(shippedAgain)).extracting(l -> AuditRecord.parse(l).event().requestId())
        .containsExactly("w", "d-0", "e");
  }

  @Test
  void aHoleAmongWindowsTheCopierStoresTogetherIsFilledFromTheFile() throws Exception {
    StoreCopier copier = new StoreCopier(store);
    FaultyChannel.Faults faults = new FaultyChannel.Faults();
    String replica;
    java.util.concurrent.CountDownLatch locked = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    try (AuditLog log = StoreCopier.openLog(dataDir, AuditLog.Options.DEFAULTS, copier, null, faults)) {
      replica = log.replica();
      long lineBytes = fiveStored(log, copier);
      // Another transaction holds the store's write lock, so the copier is stuck on the next window while
      // the three after it queue: then it takes those three together, the hole between them included.
      Thread holder = Thread.ofPlatform().start(() -> db.inTransaction(c -> {
        try (var st = c.createStatement()) {
          st.execute(db.vendor() == dev.portcullis.store.Database.Vendor.SQLITE
              ? "DELETE FROM audit_blocks WHERE replica = 'nobody'" : "LOCK TABLE audit_blocks IN EXCLUSIVE MODE");
        }
        locked.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          throw new java.sql.SQLException(e);
        }
        return null;
      }));
      assertThat(locked.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      log.record(AuditLogTest.decision("stuck"));
      assertThat(log.sync()).isEqualTo(6);
      Thread.sleep(300); // the copier has taken that window and waits for the lock
      log.record(AuditLogTest.decision("b"));
      assertThat(log.sync()).isEqualTo(7);
      faults.cutNextWriteAfter(lineBytes * 2 + 7);
      faults.failForces(1);
      for (int i = 0; i < 4; i++) {
        log.record(AuditLogTest.decision("held-" + i));
      }
      assertThat(log.sync()).as("held back").isEqualTo(7);
      log.record(AuditLogTest.decision("c"));
      assertThat(log.sync()).isEqualTo(10);
      release.countDown();
      holder.join();
      assertThat(copier.awaitStored(10, 10_000)).isTrue();
    }
    copier.close();
    ChainVerifier.Result r = store.verify(replica);
    assertThat(r.ok()).as(r.message()).isTrue();
    assertThat(r.records()).isEqualTo(10);
    AuditStore.Filter all = new AuditStore.Filter(null, null, null, null, null, null, 100);
    assertThat(store.query(all)).extracting(x -> x.event().requestId()).contains("held-0", "held-1", "c");
  }

  @Test
  void aQuerySeesEveryEventRecordedBeforeIt_evenWhileTheCopierGathersCommits() throws Exception {
    StoreCopier copier = new StoreCopier(store);
    try (AuditLog log = StoreCopier.openLog(dataDir, AuditLog.Options.DEFAULTS, copier)) {
      AuditStore.Filter all = new AuditStore.Filter(null, null, null, null, null, null, 100);
      for (int i = 0; i < 5; i++) {
        // A copy has just been made, so the copier would wait 200 ms to gather the next commits: the
        // query must not miss the event recorded just before it all the same.
        assertThat(copier.awaitStored(log.sync(), 5_000)).isTrue();
        log.record(AuditLogTest.decision("just-now-" + i));
        assertThat(store.query(all)).extracting(r -> r.event().requestId()).contains("just-now-" + i);
      }
    }
    copier.close();
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
    assertThat(blocks()).as("one block holds all ten").hasSize(1);
    List<String> lines = List.of(blocks().getFirst().split("\n"));
    assertThat(lines).hasSize(10);

    // Edited: record 6's request id changed inside the block.
    setLines(String.join("\n", lines).replace("\"requestId\":\"r5\"", "\"requestId\":\"r5x\""));
    ChainVerifier.Result edited = store.verify(replica);
    assertThat(edited.problem()).isEqualTo(ChainVerifier.Problem.EDITED);
    assertThat(edited.seq()).isEqualTo(6);

    // Reordered: records 6 and 7 swapped.
    List<String> swapped = new java.util.ArrayList<>(lines);
    java.util.Collections.swap(swapped, 5, 6);
    setLines(String.join("\n", swapped));
    ChainVerifier.Result reordered = store.verify(replica);
    assertThat(reordered.problem()).isEqualTo(ChainVerifier.Problem.REORDERED);
    assertThat(reordered.seq()).isEqualTo(6);

    // Removed: record 6 taken out.
    List<String> without = new java.util.ArrayList<>(lines);
    without.remove(5);
    setLines(String.join("\n", without));
    ChainVerifier.Result removed = store.verify(replica);
    assertThat(removed.problem()).isEqualTo(ChainVerifier.Problem.REMOVED);
    assertThat(removed.seq()).isEqualTo(6);

    // Put back as written, it verifies again.
    setLines(String.join("\n", lines));
    assertThat(store.verify(replica).ok()).isTrue();
  }

  @Test
  void editingABlocksColumnsToHideARecordFromQueriesIsCaught() throws Exception {
    Instant t0 = Instant.parse("2026-11-23T10:00:00Z");
    String replica;
    try (AuditLog log = AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, records -> {})) {
      replica = log.replica();
      log.record(at(t0, "ann@example.com", "dash", Outcome.ALLOW));
      log.record(at(t0.plusSeconds(1), "mallory@example.com", "dash", Outcome.DENY));
      log.record(at(t0.plusSeconds(2), "ann@example.com", "dash", Outcome.ALLOW));
    }
    store.replay(AuditFiles.directory(dataDir), replica);
    AuditStore.Filter mallory = new AuditStore.Filter("user:mallory@example.com", null, null, null, null, null, 10);
    assertThat(store.query(mallory)).extracting(AuditRecord::seq).containsExactly(2L);
    assertThat(store.verify(replica).ok()).isTrue();

    // Whoever can write to the store drops mallory and the deny from the block's columns: the records are
    // untouched, so the chain alone would pass, but the query no longer finds them.
    db.inTransaction(c -> c.createStatement().executeUpdate(
        "UPDATE audit_blocks SET members = ' user:ann@example.com ', tags = ' decision allow '"));
    assertThat(store.query(mallory)).isEmpty();
    ChainVerifier.Result r = store.verify(replica);
    assertThat(r.problem()).isEqualTo(ChainVerifier.Problem.EDITED);
    assertThat(r.seq()).isEqualTo(2);
    assertThat(r.message()).contains("hide record 2");

    db.inTransaction(c -> c.createStatement().executeUpdate("UPDATE audit_blocks SET last_seq = 2"));
    assertThat(store.verify(replica).problem()).isEqualTo(ChainVerifier.Problem.EDITED);
  }

  /**
   * Events of every shape a block summarizes: several members and services, each outcome, anonymous and
   * break-glass callers, admin changes with and without a service, text beyond ASCII.
   */
  static AuditEvent mixed(int i) {
    Instant t = Instant.parse("2026-11-23T10:00:00Z").plusMillis(997L * (i % 7) + i);
    return switch (i % 6) {
      case 0 -> at(t, "ann@example.com", "dash", Outcome.ALLOW);
      case 1 -> at(t, "bob@example.com", "wiki", Outcome.DENY);
      case 2 -> AuditEvent.decision(t, "r" + i, Principal.ANONYMOUS, "192.0.2.9", "Mozilla/5.0 é ✓ 😀",
          "dash", "GET", "dash.example.com", "/naïve", Outcome.DENY, "no binding", 3);
      case 3 -> AuditEvent.admin(t, "a" + i, new Principal(null, "bootstrap admin token", "admin-token", "breakGlass"),
          "127.0.0.1", "policy.set", "services/wiki", "wiki", null, new io.vertx.core.json.JsonObject().put("v", i));
      case 4 -> AuditEvent.admin(t, null, new Principal("cy@example.com", "cy", "admin-api", "user"), "127.0.0.1",
          "group.member.add", "groups/eng", null, null, null);
      default -> at(t, "dee@example.com", "notebooks", Outcome.ERROR);
    };
  }

  /** Every column of a replica's blocks but the replica, in seq order. */
  static List<List<String>> rows(Database db, String replica) {
    return db.inTransaction(c -> {
      List<List<String>> out = new java.util.ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT first_seq, last_seq, time_min, time_max, records,"
          + " members, services, tags, last_hash, lines, segment, byte_offset, byte_length FROM audit_blocks"
          + " WHERE replica = ? ORDER BY first_seq")) {
        ps.setString(1, replica);
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            List<String> row = new java.util.ArrayList<>();
            for (int col = 1; col <= 13; col++) {
              row.add(rs.getString(col));
            }
            out.add(row);
          }
        }
      }
      return out;
    });
  }

  /**
   * Writes mixed events through a log, stores each commit window the writer hands over as it comes (one
   * block from what the writer gathered) under one replica name and the same records one by one under
   * another, and returns both replicas' rows: they must be the same.
   */
  static List<List<List<String>>> storedBothWays(Path dataDir, Database db, AuditStore store) throws Exception {
    List<List<AuditRecord>> windows = new java.util.concurrent.CopyOnWriteArrayList<>();
    String replica;
    try (AuditLog log = AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, windows::add)) {
      replica = log.replica();
      log.record(mixed(0));
      log.sync(); // a window of one
      for (int i = 1; i < 300; i++) {
        log.record(mixed(i));
      }
      log.sync();
    }
    assertThat(windows).allSatisfy(w -> assertThat(w).isInstanceOf(AuditCommit.class));
    assertThat(windows.stream().mapToInt(List::size).sum()).isEqualTo(300);
    assertThat(windows.stream().mapToInt(List::size).max().orElseThrow()).as("a window of many").isGreaterThan(1);
    // The records built from a window are the chain as written: seq, prev, hash and line agree.
    String prev = AuditRecord.GENESIS;
    long seq = 0;
    for (List<AuditRecord> w : windows) {
      for (AuditRecord r : w) {
        assertThat(r.seq()).isEqualTo(++seq);
        assertThat(r.prev()).isEqualTo(prev);
        assertThat(r.intact()).isTrue();
        AuditRecord parsed = AuditRecord.parse(r.line());
        assertThat(List.of(parsed.seq(), parsed.prev(), parsed.hash())).isEqualTo(List.of(r.seq(), r.prev(), r.hash()));
        byte[] file = Files.readAllBytes(AuditFiles.segment(AuditFiles.directory(dataDir), replica, r.at().segment()));
        assertThat(new String(file, (int) r.at().offset(), r.at().length(), StandardCharsets.UTF_8))
            .as("the line where its place says").isEqualTo(r.line() + "\n");
        prev = r.hash();
      }
    }
    for (List<AuditRecord> w : windows) {
      assertThat(((AuditCommit) w).oneRun()).as("stored as one block from what was gathered").isTrue();
      store.insertAll("whole", List.of(w));
      store.insert("one-by-one", new java.util.ArrayList<>(w));
    }
    // A window stored again (a retry after a failed transaction) adds nothing.
    assertThat(store.insertAll("whole", windows)).isZero();
    return List.of(rows(db, "whole"), rows(db, "one-by-one"));
  }

  @Test
  void aCommitWindowIsStoredAsTheBlockItsRecordsMake() throws Exception {
    List<List<List<String>>> both = storedBothWays(dataDir, db, store);
    assertThat(both.get(0)).hasSizeGreaterThan(1).isEqualTo(both.get(1));
    assertThat(String.join("\n", blocks())).contains("Mozilla/5.0 é ✓ 😀", "/naïve");
    assertThat(store.lastSeq("whole")).isEqualTo(300);
  }

  private List<String> blocks() {
    return db.inTransaction(c -> {
      List<String> out = new java.util.ArrayList<>();
      try (var rs = c.createStatement().executeQuery("SELECT lines FROM audit_blocks ORDER BY first_seq")) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    });
  }

  private void setLines(String lines) {
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE audit_blocks SET lines = ?")) {
        ps.setString(1, lines);
        return ps.executeUpdate();
      }
    });
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

  @Test
  void retentionDropsWholeOldBlocksAndCutsTheOneAcrossTheCutoff() {
    Instant old = Instant.parse("2026-01-01T00:00:00Z");
    Instant recent = Instant.parse("2026-11-01T00:00:00Z");
    List<AuditRecord> records = chain(i -> i <= 5 ? old.plusSeconds(i) : recent.plusSeconds(i),
        i -> i % 2 == 0 ? "ann@example.com" : "bob@example.com", 10);
    store.insert("r1", records.subList(0, 3));
    store.insert("r1", records.subList(3, 7));
    store.insert("r1", records.subList(7, 10));
    assertThat(blocks()).hasSize(3);

    assertThat(store.purgeBefore(Instant.parse("2026-06-01T00:00:00Z"))).containsExactly(java.util.Map.entry("r1", 5L));
    assertThat(store.anchor("r1")).isEqualTo(new ChainVerifier.Anchor(5, records.get(4).hash()));
    assertThat(blocks()).hasSize(2);
    ChainVerifier.Result r = store.verify("r1");
    assertThat(r.ok()).as(r.message()).isTrue();
    assertThat(r.records()).isEqualTo(5);
    assertThat(store.query(new AuditStore.Filter(null, null, null, null, null, null, 50)))
        .extracting(AuditRecord::seq).containsExactly(10L, 9L, 8L, 7L, 6L);
    // The cut block's columns were made again from what it kept: bob's record 7 is there, ann's 6 too.
    assertThat(store.query(new AuditStore.Filter("user:ann@example.com", null, null, null, null, null, 50)))
        .extracting(AuditRecord::seq).containsExactly(10L, 8L, 6L);
    // Purging again with the same cutoff finds nothing more to do.
    assertThat(store.purgeBefore(Instant.parse("2026-06-01T00:00:00Z"))).isEmpty();
    assertThat(store.lastSeq("r1")).isEqualTo(10);
  }

  @Test
  void newestFirstPagesAcrossBlocksAndReplicasEqualASortOfEverything() {
    Instant t0 = Instant.parse("2026-11-23T10:00:00Z");
    java.util.Random random = new java.util.Random(7);
    List<AuditStore.Stored> all = new java.util.ArrayList<>();
    for (String replica : List.of("ra", "rb", "rc")) {
      int[] offsets = random.ints(60, 0, 600).toArray();
      List<AuditRecord> records = chain(i -> t0.plusSeconds(offsets[i - 1]),
          i -> random.nextBoolean() ? "ann@example.com" : "bob@example.com", 60);
      for (int from = 0; from < 60; from += 7) {
        store.insert(replica, records.subList(from, Math.min(60, from + 7)));
      }
      records.forEach(r -> all.add(new AuditStore.Stored(replica, r.event().time().toEpochMilli(), r)));
    }
    all.sort(java.util.Comparator.comparingLong(AuditStore.Stored::timeMillis)
        .thenComparing(AuditStore.Stored::replica).thenComparingLong(x -> x.record().seq()).reversed());
    for (int limit : new int[] {1, 5, 33, 180, 500}) {
      List<String> expected = all.stream().limit(limit).map(x -> x.replica() + ":" + x.record().seq()).toList();
      assertThat(store.find(new AuditStore.Filter(null, null, null, null, null, null, limit)).events())
          .extracting(x -> x.replica() + ":" + x.record().seq()).as("limit %d", limit).isEqualTo(expected);
    }
    Instant since = t0.plusSeconds(200);
    Instant until = t0.plusSeconds(400);
    List<String> bobs = all.stream()
        .filter(x -> "bob@example.com".equals(x.record().event().principal().email()))
        .filter(x -> x.timeMillis() >= since.toEpochMilli() && x.timeMillis() < until.toEpochMilli())
        .map(x -> x.replica() + ":" + x.record().seq()).toList();
    assertThat(bobs).isNotEmpty();
    assertThat(store.find(new AuditStore.Filter("user:bob@example.com", "dash", "allow", "decision", since, until,
        1000)).events()).extracting(x -> x.replica() + ":" + x.record().seq()).isEqualTo(bobs);
  }

  /** A fresh store at the schema before blocks (V9, and V9.1 on PostgreSQL), for the migration test. */
  StoreUrl legacyStore() throws Exception {
    return new StoreUrl.Sqlite(dataDir.resolve("legacy.db"));
  }

  @Test
  void recordsStoredOneARowBeforeBlocksAreMigratedIntact() throws Exception {
    StoreUrl url = legacyStore();
    String jdbc;
    String user = null;
    String password = null;
    String vendor;
    if (url instanceof StoreUrl.Postgres pg) {
      jdbc = pg.jdbcUrl();
      user = pg.user();
      password = pg.password();
      vendor = "postgresql";
    } else {
      jdbc = "jdbc:sqlite:" + ((StoreUrl.Sqlite) url).file();
      vendor = "sqlite";
    }
    org.flywaydb.core.Flyway.configure().dataSource(jdbc, user, password)
        .locations("classpath:db/migration", "classpath:db/vendor/" + vendor)
        .target(vendor.equals("sqlite") ? "9" : "9.1").load().migrate();
    Instant t0 = Instant.parse("2026-11-20T10:00:00Z");
    List<AuditRecord> records = chain(i -> t0.plusSeconds(i), i -> i == 3 ? "eve@example.com" : "ann@example.com", 5);
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbc, user, password);
         PreparedStatement ps = c.prepareStatement("INSERT INTO audit_events(replica, seq, time, kind, request_id,"
             + " member, service, decision, action, json, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (AuditRecord r : records) {
        AuditEvent e = r.event();
        ps.setString(1, "old");
        ps.setLong(2, r.seq());
        ps.setLong(3, e.time().toEpochMilli());
        ps.setString(4, "decision");
        ps.setString(5, e.requestId());
        ps.setString(6, e.principal().member());
        ps.setString(7, e.service());
        ps.setString(8, "allow");
        ps.setString(9, null);
        ps.setString(10, r.line());
        ps.setString(11, r.prev());
        ps.setString(12, r.hash());
        ps.executeUpdate();
      }
    }
    try (Database migrated = Database.open(url)) {
      AuditStore s = new AuditStore(migrated);
      assertThat(s.lastSeq("old")).isEqualTo(5);
      ChainVerifier.Result r = s.verify("old");
      assertThat(r.ok()).as(r.message()).isTrue();
      assertThat(r.records()).isEqualTo(5);
      assertThat(s.query(new AuditStore.Filter("user:eve@example.com", "dash", "allow", "decision", null, null, 10)))
          .extracting(AuditRecord::seq).containsExactly(3L);
      // The chain goes on in blocks after the migrated rows.
      List<AuditRecord> more = chain(i -> t0.plusSeconds(i), i -> i == 3 ? "eve@example.com" : "ann@example.com", 8);
      assertThat(s.insert("old", more)).isEqualTo(3);
      assertThat(s.verify("old").records()).isEqualTo(8);
    }
  }

  private static List<AuditRecord> chain(java.util.function.IntFunction<Instant> time,
      java.util.function.IntFunction<String> email, int n) {
    List<AuditRecord> out = new java.util.ArrayList<>();
    String prev = AuditRecord.GENESIS;
    for (int i = 1; i <= n; i++) {
      AuditRecord r = AuditRecord.seal(i, prev, at(time.apply(i), email.apply(i), "dash", Outcome.ALLOW));
      prev = r.hash();
      out.add(r);
    }
    return out;
  }

  private static List<AuditRecord> chain(Instant from, int n) {
    return chain(i -> from.plusSeconds(i), i -> "ann@example.com", n);
  }
}
