package dev.portcullis.bench;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditRecord;
import dev.portcullis.audit.AuditStore;
import dev.portcullis.store.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The audit log's two costs per decision event, off the request path: sealing it into the chain (the
 * writer thread: canonical JSON, SHA-256, the line) and storing it (the store thread: one block of a
 * commit window's records into SQLite). Both are per event ({@code storeBlock} inserts a block of
 * {@value #BLOCK} records per invocation). Run with bench/jmh.sh; see docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class AuditBenchmark {
  static final int BLOCK = 1000;

  private AuditEvent event;
  private byte[] fields;
  private String prev;
  private long seq;
  private List<AuditRecord> template;
  private Path dir;
  private Database db;
  private AuditStore store;

  @Setup
  public void setUp() throws IOException {
    event = AuditEvent.decision(Instant.now(), "3f2a9c41d0e84b7a",
        new AuditEvent.Principal("ann.lee@example.com", "google:108467391827364519283", "google", "user"),
        "203.0.113.42", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
        "dash", "GET", "dash.example.com", "/reports/2026/q3",
        AuditEvent.Outcome.ALLOW, "roles/iap.httpsResourceAccessor via group:analysts@example.com", 184);
    fields = AuditRecord.fields(event);
    prev = AuditRecord.GENESIS;
    template = new ArrayList<>();
    String p = AuditRecord.GENESIS;
    for (int i = 1; i <= BLOCK; i++) {
      AuditRecord r = AuditRecord.seal(i, p, event);
      template.add(r);
      p = r.hash();
    }
    dir = Files.createTempDirectory("audit-bench");
    db = Database.openSqlite(dir.resolve("store.db"));
    store = new AuditStore(db);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    db.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  /** One event sealed as the writer seals it. */
  @Benchmark
  public AuditRecord seal() {
    AuditRecord r = AuditRecord.seal(++seq, prev, event);
    prev = r.hash();
    return r;
  }

  /**
   * What the recording thread adds since the writer stopped reading the event's strings: the event's
   * fields encoded into bytes ({@link AuditRecord#fields}).
   */
  @Benchmark
  public byte[] encodeFields() {
    return AuditRecord.fields(event);
  }

  /** What the writer does per event now: seq and prev, the encoded fields, SHA-256, the line. */
  @Benchmark
  public AuditRecord sealEncoded() {
    AuditRecord r = AuditRecord.seal(++seq, prev, event, fields);
    prev = r.hash();
    return r;
  }

  /** A block of {@value #BLOCK} sealed events stored as the store thread stores a commit window. */
  @Benchmark
  @OperationsPerInvocation(BLOCK)
  public int storeBlock() {
    List<AuditRecord> block = new ArrayList<>(BLOCK);
    for (AuditRecord r : template) {
      block.add(new AuditRecord(++seq, r.prev(), r.hash(), r.line(), r.sealedFrom()));
    }
    return store.insert("bench", block);
  }
}
