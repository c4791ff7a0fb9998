package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent.Outcome;
import dev.portcullis.audit.AuditEvent.Principal;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
  @TempDir Path dataDir;

  // The fault tests' log: its segment files fail on cue, and what it commits is kept here.
  final List<AuditRecord> handed = new CopyOnWriteArrayList<>();
  final FaultyChannel.Faults faults = new FaultyChannel.Faults();

  AuditLog openWithFaults() throws java.io.IOException {
    return AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, handed::addAll, faults);
  }

  /** Offers decisions PREFIX-0 to PREFIX-(n-1). */
  static void offer(AuditLog log, String prefix, int n) {
    for (int i = 0; i < n; i++) {
      log.offer(decision(prefix + "-" + i));
    }
  }

  void assertFilesIntact(String replica, long records) throws java.io.IOException {
    assertFilesIntact(dataDir, replica, records);
  }

  /** The replica's files in DATA_DIR/audit verify whole, with this many records. */
  static void assertFilesIntact(Path dataDir, String replica, long records) throws java.io.IOException {
    ChainVerifier.Result result = ChainVerifier.verifyFiles(AuditFiles.directory(dataDir), replica,
        ChainVerifier.Anchor.START, null);
    assertThat(result.ok()).as(result.message()).isTrue();
    assertThat(result.records()).isEqualTo(records);
  }

  static AuditEvent decision(String requestId) {
    return AuditEvent.decision(Instant.parse("2026-11-23T10:00:00.123Z"), requestId,
        new Principal("ann@example.com", "sub-1", "google", "user"), "192.0.2.7", "curl/8",
        "dash", "GET", "dash.example.com", "/reports", Outcome.ALLOW,
        "roles/iap.httpsResourceAccessor via user:ann@example.com", 420);
  }

  @Test
  void eachThreadsEventsKeepTheirOrderAndThoseOfThreadsThatEndedAreAllWritten() throws Exception {
    List<AuditRecord> committed = new CopyOnWriteArrayList<>();
    try (AuditLog log = AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, committed::addAll)) {
      // Threads that record and end, one after the other and side by side: each had a queue of its own.
      for (int round = 0; round < 5; round++) {
        List<Thread> threads = new java.util.ArrayList<>();
        for (int t = 0; t < 8; t++) {
          String name = "t" + round + "-" + t;
          threads.add(Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 25; i++) {
              assertThat(log.offer(decision(name + "-" + i))).isTrue();
            }
          }));
        }
        for (Thread t : threads) {
          t.join();
        }
        Thread.sleep(20); // the writer drains and lets go of the ended threads' queues meanwhile
      }
      assertThat(log.sync()).isEqualTo(1_000);
      log.sync(); // one more pass of the writer over the lanes, all empty now
      assertThat(log.lanes()).as("the lanes of the threads that ended are let go").isZero();
    }
    assertThat(committed).hasSize(1_000);
    java.util.Map<String, Integer> next = new java.util.HashMap<>();
    for (AuditRecord r : committed) {
      String id = r.event().requestId();
      String thread = id.substring(0, id.lastIndexOf('-'));
      int i = Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
      assertThat(i).as("the next event of " + thread).isEqualTo(next.getOrDefault(thread, 0));
      next.put(thread, i + 1);
    }
    assertThat(next).hasSize(40).allSatisfy((thread, n) -> assertThat(n).isEqualTo(25));
  }

  @Test
  void anEventRecordedAfterAnotherWasOfferedIsSealedAfterIt_whateverThreadsRecordedThem() throws Exception {
    // Two threads take turns, each recording only once the other's event is offered: one order of
    // events across two lanes, which the seqs must follow (an admin change made after another, on
    // another event loop, must not come first in the chain or in a query that follows it).
    List<AuditRecord> committed = new CopyOnWriteArrayList<>();
    int events = 600;
    try (AuditLog log = AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, committed::addAll)) {
      java.util.concurrent.Semaphore[] turn = {new java.util.concurrent.Semaphore(1),
          new java.util.concurrent.Semaphore(0)};
      List<Thread> threads = new java.util.ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int me = t;
        threads.add(Thread.ofPlatform().start(() -> {
          for (int i = me; i < events; i += 2) {
            turn[me].acquireUninterruptibly();
            assertThat(log.offer(decision("e" + i))).isTrue();
            turn[1 - me].release();
            if (i % 50 < 2) {
              LockSupport.parkNanos(2_000_000); // now and then a pause, so that turns straddle the writer's passes
            }
          }
        }));
      }
      for (Thread t : threads) {
        t.join();
      }
      assertThat(log.sync()).isEqualTo(events);
    }
    assertThat(committed).hasSize(events);
    for (int i = 0; i < events; i++) {
      assertThat(committed.get(i).seq()).isEqualTo(i + 1);
      assertThat(committed.get(i).event().requestId()).as("seq " + (i + 1)).isEqualTo("e" + i);
    }
  }

  @Test
  void aWriteThatFailsPartWayCommitsTheWholeLinesThatReachedTheFileAndTheChainGoesOn() throws Exception {
    String replica;
    try (AuditLog log = openWithFaults()) {
      replica = log.replica();
      offer(log, "before", 10);
      assertThat(log.sync()).isEqualTo(10);
      Path segment = AuditFiles.segments(log.directory(), replica).getLast();
      long lineBytes = Files.size(segment) / 10; // the same event each time, seqs of the same width
      // The disk fills three and a half lines into the next window's write.
      faults.cutNextWriteAfter(lineBytes * 3 + lineBytes / 2);
      offer(log, "cut", 10);
      assertThat(log.sync()).as("the whole lines on disk are committed").isEqualTo(13);
      assertThat(log.writeErrors()).isEqualTo(1);
      byte[] onDisk = Files.readAllBytes(segment);
      assertThat(onDisk[onDisk.length - 1]).as("the torn line is cut off").isEqualTo((byte) '\n');
      assertThat(Files.readAllLines(segment)).hasSize(13);
      offer(log, "after", 5);
      assertThat(log.sync()).isEqualTo(18);
    }
    // Every committed record reads back from the file where its window says it is, in one gapless run:
    // the store gets the three lines that made it now, not at the next start's replay.
    assertThat(handed).extracting(AuditRecord::seq).containsExactlyElementsOf(
        java.util.stream.LongStream.rangeClosed(1, 18).boxed().toList());
    assertThat(handed).extracting(r -> r.event().requestId()).containsSequence("before-9", "cut-0", "cut-1",
        "cut-2", "after-0");
    assertFilesIntact(replica, 18);
  }

  @Test
  void aWindowWhoseFsyncFailedIsWrittenAgainAndCommittedWhenThatIsDurable() throws Exception {
    // Linux may drop pages whose writeback failed and mark them clean, so a later fsync that succeeds proves
    // nothing of them: the writer reads the window back, checks it against the chain and writes it again.
    String replica;
    try (AuditLog log = openWithFaults()) {
      replica = log.replica();
      faults.failForces(1);
      offer(log, "a", 5);
      assertThat(log.sync()).isEqualTo(5);
      assertThat(log.writeErrors()).isEqualTo(1);
      // The window whose fsync failed (the first event alone, or the first few: the writer commits at once
      // after a quiet spell) was written again where it was: the bytes of the first k lines, for some k.
      List<Long> prefixes = new java.util.ArrayList<>();
      long sum = 0;
      for (String line : Files.readAllLines(AuditFiles.segments(log.directory(), replica).getLast())) {
        sum += line.length() + 1;
        prefixes.add(sum);
      }
      assertThat(prefixes).contains(faults.rewritten());
    }
    assertThat(handed).extracting(r -> r.event().requestId()).containsExactly("a-0", "a-1", "a-2", "a-3", "a-4");
    assertFilesIntact(replica, 5);
  }

  @Test
  void aWindowWhoseFsyncFailedAndWhosePagesAreGoneIsNotCommitted_andVerifyNamesIt() throws Exception {
    String replica;
    try (AuditLog log = openWithFaults()) {
      replica = log.replica();
      log.offer(decision("kept"));
      assertThat(log.sync()).isEqualTo(1);
      faults.loseUnsyncedOnFailedForce();
      faults.failForces(1);
      log.offer(decision("lost"));
      assertThat(log.sync()).as("read back as zeros: not the window that was written").isEqualTo(1);
      assertThat(faults.rewritten()).as("nothing written again").isZero();
      log.offer(decision("after"));
      assertThat(log.sync()).isEqualTo(3);
    }
    assertThat(handed).extracting(r -> r.event().requestId()).containsExactly("kept", "after");
    ChainVerifier.Result result = ChainVerifier.verifyFiles(AuditFiles.directory(dataDir), replica,
        ChainVerifier.Anchor.START, null);
    assertThat(result.ok()).isFalse();
    assertThat(result.seq()).as(result.message()).isEqualTo(2);
  }

  /** Five events whose window's fsync, and the fsync after writing it again, fail. */
  private void aWindowThatIsNotDurable(AuditLog log) throws Exception {
    faults.failForces(Integer.MAX_VALUE);
    offer(log, "a", 5);
    assertThat(log.sync()).as("not durable, so not committed").isZero();
  }

  @Test
  void afterAWindowThatIsNotDurable_noneOfItsSegmentLeavesThePageCache() throws Exception {
    // Its lines may be in the page cache only: dropping their pages would make the loss certain while the
    // store's copier may still copy them from the file. Later windows are durable, but the segment's
    // pages all stay.
    org.junit.jupiter.api.Assumptions.assumeTrue(PageCache.available(), "Java 22+ on Linux");
    String replica;
    try (AuditLog log = openWithFaults()) {
      replica = log.replica();
      aWindowThatIsNotDurable(log);
      faults.failForces(0);
      long events = 5;
      Path segment = AuditFiles.segments(log.directory(), replica).getLast();
      while (Files.size(segment) < 2 * AuditLog.KEEP_CACHED) {
        offer(log, "b" + events, 5_000);
        events += 5_000;
        log.sync();
      }
      assertThat(PageCacheTest.resident(segment)).as("all of it cached").isGreaterThanOrEqualTo(Files.size(segment) - 4096);
      assertThat(log.committedSeq()).isEqualTo(events);
    }
    assertFilesIntact(replica, handed.size() + 5);
  }

  @Test
  void aWindowWhoseFsyncFailsTwiceIsNeverCommittedByTheWriter_andTheChainGoesOnFromItsLines() throws Exception {
    // Its fsync failed, and so did the fsync after writing it again: the writer hands it to no one (the
    // store's copier copies it from the file once a later window is durable, and verify judges it).
    String replica;
    try (AuditLog log = openWithFaults()) {
      replica = log.replica();
      aWindowThatIsNotDurable(log);
      long failedCommits = log.writeErrors();
      assertThat(failedCommits).isPositive();
      faults.failForces(0);
      assertThat(log.sync()).as("nor by a later fsync").isZero();
      offer(log, "x", 2);
      assertThat(log.sync()).isEqualTo(7);

      // A write fails part-way and the force that should make what it wrote durable fails too: nothing of
      // the window is handed over, though two whole lines stay in the file and the chain goes on from them.
      Path segment = AuditFiles.segments(log.directory(), replica).getLast();
      long lineBytes = Files.size(segment) / 7;
      faults.cutNextWriteAfter(lineBytes * 2 + 7);
      faults.failForces(1);
      offer(log, "b", 4);
      assertThat(log.sync()).isEqualTo(7);
      assertThat(log.writeErrors()).isEqualTo(failedCommits + 1);
      offer(log, "c", 3);
      assertThat(log.sync()).as("the chain goes on from the last whole line on disk").isEqualTo(12);
    }
    assertThat(handed).extracting(AuditRecord::seq).containsExactly(6L, 7L, 10L, 11L, 12L);
    assertThat(handed).extracting(r -> r.event().requestId()).containsExactly("x-0", "x-1", "c-0", "c-1", "c-2");
    assertFilesIntact(replica, 12);
  }

  @Test
  void closeWritesEveryAcceptedEventOfEveryThread_withoutASync() throws Exception {
    java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
    String replica;
    try (AuditLog log = AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, records -> {})) {
      replica = log.replica();
      List<Thread> threads = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        String name = "c" + t;
        threads.add(Thread.ofPlatform().start(() -> {
          for (int i = 0; i < 500; i++) {
            if (log.offer(decision(name + "-" + i))) {
              accepted.incrementAndGet();
            }
          }
        }));
      }
      for (Thread t : threads) {
        t.join();
      }
    } // closed at once: no sync, the writer may be mid-slice
    assertThat(accepted.get()).isEqualTo(2_000);
    assertFilesIntact(replica, 2_000);
  }

  @Test
  void concurrentEventsAreEachWrittenOnceInOneIntactChain() throws Exception {
    List<AuditRecord> committed = new CopyOnWriteArrayList<>();
    int n = 5_000;
    try (AuditLog log = AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, committed::addAll)) {
      ExecutorService pool = Executors.newFixedThreadPool(16);
      CountDownLatch go = new CountDownLatch(1);
      for (int i = 0; i < n; i++) {
        String id = "r" + i;
        pool.execute(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          assertThat(log.offer(decision(id))).isTrue();
        });
      }
      go.countDown();
      pool.shutdown();
      assertThat(pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(log.sync()).isEqualTo(n);
      assertThat(log.dropped()).isZero();

      ChainVerifier.Result result = ChainVerifier.verifyFiles(log.directory(), log.replica(),
          ChainVerifier.Anchor.START, null);
      assertThat(result.ok()).as(result.message()).isTrue();
      assertThat(result.records()).isEqualTo(n);
    }
    assertThat(committed).hasSize(n);
    Set<String> ids = new HashSet<>();
    for (AuditRecord r : committed) {
      ids.add(r.event().requestId());
    }
    assertThat(ids).hasSize(n);
  }

  @Test
  void aWindowTooLargeForOneWriteIsAppendedInPartsAndCommittedWhole() throws Exception {
    // A commit interval of ten minutes: after the first commit (at once, the log being idle), the rest
    // waits for the sync, so the lines reach the file before their commit only through the early writes
    // of a window that has grown past a megabyte.
    AuditLog.Options slow = new AuditLog.Options(65_536, 600_000, 64L << 20);
    List<AuditRecord> committed = new CopyOnWriteArrayList<>();
    int n = 4_000; // about 430 bytes a line: 1.7 MB
    try (AuditLog log = AuditLog.open(dataDir, slow, committed::addAll)) {
      log.record(decision("first"));
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (log.committedSeq() < 1 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(log.committedSeq()).as("a lone event after a quiet spell is committed at once").isEqualTo(1);
      Path segment = AuditFiles.segments(log.directory(), log.replica()).getLast();
      long committedSize = Files.size(segment);
      for (int i = 0; i < 100; i++) {
        assertThat(log.offer(decision("w" + i))).isTrue();
      }
      Thread.sleep(200); // some forty 5 ms slices: sealed, and held for the commit's one write
      assertThat(Files.size(segment)).as("sealed lines wait for the commit to be written").isEqualTo(committedSize);
      for (int i = 100; i < n; i++) {
        assertThat(log.offer(decision("w" + i))).isTrue();
        if (i % 500 == 0) {
          Thread.sleep(10); // the window builds up over several slices
        }
      }
      while (Files.size(segment) < (1 << 20) && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(Files.size(segment)).as("a megabyte of sealed lines is appended before the commit")
          .isGreaterThanOrEqualTo(1 << 20);
      assertThat(log.committedSeq()).as("and is not yet committed").isEqualTo(1);
      assertThat(committed).hasSize(1);

      assertThat(log.sync()).isEqualTo(n + 1);
      List<String> lines = Files.readAllLines(segment, StandardCharsets.UTF_8);
      assertThat(lines).hasSize(n + 1);
      assertThat(committed).hasSize(n + 1);
      for (int i = 0; i < committed.size(); i++) {
        AuditRecord r = committed.get(i);
        assertThat(r.seq()).isEqualTo(i + 1);
        assertThat(r.line()).as("record %d read back from where the window says it is", i + 1).isEqualTo(lines.get(i));
      }
      ChainVerifier.Result result = ChainVerifier.verifyFiles(log.directory(), log.replica(),
          ChainVerifier.Anchor.START, null);
      assertThat(result.ok()).as(result.message()).isTrue();
      assertThat(result.records()).isEqualTo(n + 1);
    }
  }

  @Test
  void closeCommitsEverythingAndReopeningContinuesTheChain() throws Exception {
    String replica;
    try (AuditLog log = AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, records -> {})) {
      replica = log.replica();
      for (int i = 0; i < 10; i++) {
        log.record(decision("a" + i));
      }
    }
    try (AuditLog log = AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, records -> {})) {
      assertThat(log.replica()).isEqualTo(replica);
      assertThat(log.committedSeq()).isEqualTo(10);
      log.record(decision("b"));
      assertThat(log.sync()).isEqualTo(11);
      assertThat(log.offer(decision("after-close-is-fine-until-closed"))).isTrue();
    }
    ChainVerifier.Result result = ChainVerifier.verifyFiles(AuditFiles.directory(dataDir), replica,
        ChainVerifier.Anchor.START, null);
    assertThat(result.ok()).as(result.message()).isTrue();
    assertThat(result.last().seq()).isEqualTo(12);
  }

  @Test
  void aTornLastLineIsCutOffOnOpen() throws Exception {
    String replica;
    try (AuditLog log = AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, records -> {})) {
      replica = log.replica();
      log.record(decision("a"));
      log.record(decision("b"));
    }
    Path segment = AuditFiles.segments(AuditFiles.directory(dataDir), replica).getLast();
    Files.writeString(segment, "{\"seq\":3,\"prev\":\"ab", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    assertThat(ChainVerifier.verifyFiles(AuditFiles.directory(dataDir), replica, ChainVerifier.Anchor.START, null)
        .problem()).isEqualTo(ChainVerifier.Problem.TRUNCATED);

    try (AuditLog log = AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, records -> {})) {
      assertThat(log.committedSeq()).isEqualTo(2);
      log.record(decision("c"));
    }
    ChainVerifier.Result result = ChainVerifier.verifyFiles(AuditFiles.directory(dataDir), replica,
        ChainVerifier.Anchor.START, null);
    assertThat(result.ok()).as(result.message()).isTrue();
    assertThat(result.last().seq()).isEqualTo(3);
  }

  @Test
  void segmentsRollOverAndTheChainCrossesThem() throws Exception {
    AuditLog.Options small = new AuditLog.Options(1024, 50, 2_000);
    String replica;
    try (AuditLog log = AuditLog.open(dataDir, small, records -> {})) {
      replica = log.replica();
      for (int i = 0; i < 30; i++) {
        log.record(decision("s" + i));
        log.sync();
      }
    }
    Path dir = AuditFiles.directory(dataDir);
    assertThat(AuditFiles.segments(dir, replica).size()).isGreaterThan(3);
    ChainVerifier.Result result = ChainVerifier.verifyFiles(dir, replica, ChainVerifier.Anchor.START, null);
    assertThat(result.ok()).as(result.message()).isTrue();
    assertThat(result.records()).isEqualTo(30);
  }

  @Test
  void syncNeitherHangsWhenTheWriterHasDiedNorAfterTheClose() throws Exception {
    // A listener that throws an Error (not an exception the writer survives) stops the writer thread.
    try (AuditLog log = AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, records -> {
      throw new AssertionError("listener broke");
    })) {
      log.record(decision("a"));
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (log.committedSeq() < 1 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      log.record(decision("b"));
      org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () ->
          org.assertj.core.api.Assertions.assertThatThrownBy(log::sync)
              .isInstanceOf(IllegalStateException.class)
              .hasMessageContaining("writer")
              .hasMessageContaining("has stopped"));
    }
    try (AuditLog log = AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, records -> {})) {
      log.record(decision("c"));
      long seq = log.sync();
      log.close();
      org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () ->
          assertThat(log.sync()).as("after the close, the last committed seq at once").isEqualTo(seq));
    }
  }

  @Test
  void aFullQueueDropsAndCountsInsteadOfWaiting() throws Exception {
    AuditLog.Options tiny = new AuditLog.Options(1, 50, 64L << 20);
    try (AuditLog log = AuditLog.open(dataDir, tiny, records -> {})) {
      long start = System.nanoTime();
      int accepted = 0;
      for (int i = 0; i < 10_000; i++) {
        if (log.offer(decision("q" + i))) {
          accepted++;
        }
      }
      assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
      assertThat(log.dropped()).isPositive().isEqualTo(10_000 - accepted);
    }
  }

  @Test
  void anEventThatCannotBeEncodedIsDroppedAndCountedAndTheChainGoesOn() throws Exception {
    // A value Jackson cannot write: encoding fails on the recording thread, not in the writer.
    AuditEvent broken = AuditEvent.admin(Instant.parse("2026-11-23T10:00:00Z"), "req-1",
        new Principal("root@example.com", "root", "local", "user"), "10.0.0.1", "policy.set", "services/dash",
        "dash", null, new JsonObject().put("odd", new Object()));
    try (AuditLog log = AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, records -> {})) {
      assertThat(log.offer(decision("before"))).isTrue();
      assertThat(log.offer(broken)).isFalse();
      assertThat(log.offer(decision("after"))).isTrue();
      assertThat(log.sync()).isEqualTo(2);
      assertThat(log.writeErrors()).isEqualTo(1);
      ChainVerifier.Result result = ChainVerifier.verifyFiles(log.directory(), log.replica(),
          ChainVerifier.Anchor.START, null);
      assertThat(result.ok()).as(result.message()).isTrue();
      assertThat(result.records()).isEqualTo(2);
    }
  }

  @Test
  void eventsSealedFromTheirEncodedFieldsGiveTheSameLines() {
    AuditEvent admin = AuditEvent.admin(Instant.parse("2026-11-23T10:00:00.5Z"), "req-1",
        new Principal("root@example.com", null, "local", "user"), "10.0.0.1", "policy.set", "services/dash",
        "dash", null, new JsonObject().put("etag", "b\u00e9\ud800"));
    for (AuditEvent e : List.of(decision("x"), admin)) {
      AuditRecord direct = AuditRecord.seal(3, AuditRecord.GENESIS, e, new Json());
      AuditRecord encoded = AuditRecord.seal(3, AuditRecord.GENESIS, e, AuditRecord.fields(e), new Json());
      assertThat(encoded.line()).isEqualTo(direct.line());
      assertThat(encoded.hash()).isEqualTo(direct.hash());
      assertThat(encoded.intact()).isTrue();
    }
  }

  @Test
  void eventJsonHasAFixedFieldOrderAndRoundTrips() {
    AuditEvent e = AuditEvent.admin(Instant.parse("2026-11-23T10:00:00Z"), "req-1",
        new Principal("root@example.com", "root", "local", "user"), "10.0.0.1", "policy.set", "services/dash",
        "dash", new JsonObject().put("etag", "a").put("bindings", 1),
        new JsonObject().put("etag", "b").put("bindings", 1));
    String json = e.toJson().encode();
    assertThat(json).startsWith("{\"time\":\"2026-11-23T10:00:00Z\",\"kind\":\"admin\",\"requestId\":\"req-1\"");
    assertThat(e.change().encode()).isEqualTo("{\"etag\":{\"before\":\"a\",\"after\":\"b\"}}");
    assertThat(AuditEvent.fromJson(e.toJson())).isEqualTo(e);
    AuditEvent d = decision("x");
    assertThat(AuditEvent.fromJson(d.toJson())).isEqualTo(d);
    assertThat(d.principal().member()).isEqualTo("user:ann@example.com");
  }
}
