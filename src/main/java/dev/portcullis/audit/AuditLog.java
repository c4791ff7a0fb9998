package dev.portcullis.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local, append-only, hash-chained audit file of one replica.
 *
 * <p>The request path calls {@link #record}, which only encodes the event's fields and offers it to its
 * thread's own queue, and never waits: when more events than the queue capacity wait in all threads'
 * queues (the disk is far behind) the event is dropped and counted in
 * {@link #dropped()}, because stalling requests on the audit disk would turn a slow disk into an
 * outage. Size the queue so that this never happens in practice; alert on the counter.
 *
 * <p>One writer thread owns the file. Under load it takes what has queued every 5 ms and seals each
 * event into the chain ({@link AuditRecord}); it appends the sealed lines in one write and
 * group-commits them with {@link FileChannel#force} when 50 ms have passed since the last commit (at
 * once when the log was idle), on {@link #sync()} and on {@link #close()}. Only after
 * a commit are the records handed to the {@link CommitListener} (the store copier), so the store never
 * holds what the file could still lose. After kill -9 at most the last commit window is missing; a
 * torn last line is cut off when the log is opened again, and what the file holds is forced before the
 * chain goes on. After a failed write or fsync, see {@link #rewrite} and {@link #reopenAfterError}.
 */
public final class AuditLog implements AuditSink, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

  /**
   * Called on the writer thread after each commit, with the records it made durable (an {@link AuditCommit});
   * must not block.
   */
  @FunctionalInterface
  public interface CommitListener {
    void committed(List<AuditRecord> records);
  }

  /**
   * @param queueCapacity events that may wait for the writer before new ones are dropped (counted in
   *     batches of up to 64 per recording thread, so the bound is soft by that much)
   * @param commitIntervalMillis the group-commit window
   * @param segmentBytes a new segment is started once the current one has grown past this
   */
  public record Options(int queueCapacity, long commitIntervalMillis, long segmentBytes) {
    public static final Options DEFAULTS = new Options(65_536, 50, 64L << 20);
  }

  /** How the writer opens a segment for appending: {@link FileChannel#open}, or a test's channel that fails on cue. */
  interface Opener {
    FileChannel open(Path path, java.nio.file.OpenOption... options) throws IOException;
  }

  private record Sync(CompletableFuture<Long> done) {}

  /**
   * An event waiting for the writer: its fields, already encoded by the thread that recorded it (length
   * bytes of chunk from from), and what the store's block needs to know of it (time, member, service,
   * tags), read there too. The event itself is not kept: nothing after this needs it. {@code stamp} is
   * {@link System#nanoTime} as the offer began: the writer seals by it, so that an event recorded after
   * another was offered gets the later seq, whichever threads recorded them.
   */
  record Pending(long stamp, byte[] chunk, int from, int length, long millis, String member, String service,
      int tags) {}

  /**
   * One recording thread's queue. Only that thread offers to it, so the event loops never contend with
   * each other on one queue or one counter (each such contended write moves a cache line from core to
   * core); the writer empties every lane in turn. The thread encodes its events' fields one after the
   * other into its current chunk, so the writer reads them in order from a few arrays instead of one
   * array per event.
   */
  private static final class Lane {
    final Thread owner = Thread.currentThread();
    final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    // The writer's only: taken from the queue and not yet sealed, in the order the owner offered them,
    // which is the order of their stamps (nanoTime never goes back on one thread).
    final ArrayDeque<Pending> taken = new ArrayDeque<>();
    int uncounted; // events queued here and not yet added to waitingEvents (the owner's only)
    Json chunk = new Json(CHUNK_BYTES, Integer.MAX_VALUE); // the owner's only

    /** The chunk to encode the next event into: a fresh one when this one is nearly full. */
    Json chunk() {
      if (chunk.size() > CHUNK_BYTES - 2048) {
        chunk = new Json(CHUNK_BYTES, Integer.MAX_VALUE);
      }
      return chunk;
    }
  }

  private static final int CHUNK_BYTES = 32 << 10;

  private static final Object CLOSE = new Object();
  /** How often, under load, the writer takes what has queued and seals it (it appends at the commit). */
  private static final long DRAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  /**
   * Sealed lines wait in memory for the commit's one write, unless they reach this size first. Writing
   * a window in several calls costs the kernel more than its bytes do: measured with
   * {@code bench/AppendProbe.java} on this project's 2-core VMs, a write per 5 ms slice cost 1.5-3 times
   * as much CPU per line as one write per 50 ms window, and 4 KiB writes 2-2.5 times.
   */
  private static final int WRITE_BYTES = 1 << 20;
  /**
   * After each commit the page cache is advised to drop the segment's durable bytes but for the last
   * this many ({@link PageCache}): those readers may still want soon (a store copier that reads the
   * lines back gathers up to 200 ms of windows; 8 MiB is several times that under load).
   */
  static final long KEEP_CACHED = 8L << 20;

  private final Path dir;
  private final Opener opener;
  private final String replica;
  private final Options options;
  private final long commitNanos; // the group-commit window
  private final CommitListener listener;
  // Lock-free: the event loops offer without ever taking a lock the writer could hold while it drains,
  // each to a lane of its own. Syncs and the close come through `control`.
  private final ThreadLocal<Lane> lane = ThreadLocal.withInitial(this::newLane);
  private final CopyOnWriteArrayList<Lane> lanes = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Object> control = new ConcurrentLinkedQueue<>();
  // About how many events wait in all lanes, for the bound: each lane adds its events in batches of
  // countBatch (so the event loops rarely write this line, and never on every event) and the writer
  // takes off what it drained. A lane's last few events may go uncounted for a while: the bound is soft
  // by at most countBatch per recording thread.
  private final AtomicInteger waitingEvents = new AtomicInteger();
  private final int countBatch;
  private volatile boolean writerIdle;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong writeErrors = new AtomicLong();
  private final AtomicLong committedSeq = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;

  // Owned by the writer thread after construction.
  private final AuditRecord.Sealer sealer = new AuditRecord.Sealer();
  private AuditCommit building; // the records sealed since the last commit
  // The sealed lines not yet written, newline-terminated: those of the last records of `building`.
  private final Json out = new Json(64 << 10, 4 << 20);
  private FileChannel channel;
  private PageCache cache = PageCache.NONE; // the current segment's
  private long segmentFirst; // the first seq of the segment being written, which names it
  private long segmentSize;
  private long seq;
  private final byte[] prev = new byte[64]; // the last record's hash, as hex

  private AuditLog(Path dir, String replica, Options options, CommitListener listener, Opener opener)
      throws IOException {
    this.dir = dir;
    this.opener = opener;
    this.replica = replica;
    this.options = options;
    this.commitNanos = TimeUnit.MILLISECONDS.toNanos(options.commitIntervalMillis());
    this.listener = listener;
    this.countBatch = Math.max(1, Math.min(64, options.queueCapacity() / 64));
    openTail();
    committedSeq.set(seq);
    this.building = new AuditCommit(dir, replica);
    this.writer = Thread.ofPlatform().name("audit-writer").daemon(true).unstarted(this::run);
  }

  /** Opens (creating if needed) the audit log in DATA_DIR/audit and starts its writer. */
  public static AuditLog open(Path dataDir, Options options, CommitListener listener) throws IOException {
    return open(dataDir, options, listener, FileChannel::open);
  }

  static AuditLog open(Path dataDir, Options options, CommitListener listener, Opener opener) throws IOException {
    Path dir = AuditFiles.directory(dataDir);
    String replica = AuditFiles.replicaId(dir);
    AuditLog auditLog = new AuditLog(dir, replica, options, listener, opener);
    auditLog.writer.start();
    return auditLog;
  }

  public String replica() {
    return replica;
  }

  public Path directory() {
    return dir;
  }

  /** Enqueues an event without waiting; a full queue or closed log drops it (counted). */
  @Override
  public void record(AuditEvent event) {
    offer(event);
  }

  /**
   * Enqueues an event without waiting; false (and counted) when the queue is full or the log closed.
   *
   * <p>The calling thread encodes the event's fields into bytes before it enqueues them: it has just
   * built the event and its strings are still in its cache, whereas the writer, on another core, would
   * fetch each of them from there (measured: that cost the writer more than sealing itself). It takes no
   * lock and touches no file; the hash chain, the file and the commit stay the writer's.
   */
  public boolean offer(AuditEvent event) {
    if (closed || waitingEvents.get() >= options.queueCapacity()) {
      dropped.incrementAndGet();
      return false;
    }
    long stamp = System.nanoTime();
    Lane l = lane.get();
    Json chunk = l.chunk();
    int from = chunk.size();
    Pending p;
    try {
      event.appendFields(chunk);
      String member = event.principal() == null ? null : event.principal().member();
      // The chunk's array is read after the encoding: it is a larger copy if the event did not fit.
      p = new Pending(stamp, chunk.buffer(), from, chunk.size() - from, event.time().toEpochMilli(), member,
          event.service(), AuditCommit.tags(event));
    } catch (RuntimeException failure) {
      // One event that cannot be encoded must not fail the request that recorded it.
      chunk.cut(chunk.size() - from);
      writeErrors.incrementAndGet();
      log.error("audit: cannot encode an event of kind {}; it is dropped", event.kind(), failure);
      return false;
    }
    l.queue.offer(p);
    if (++l.uncounted == countBatch) {
      waitingEvents.addAndGet(countBatch);
      l.uncounted = 0;
    }
    if (writerIdle) {
      LockSupport.unpark(writer); // only after a quiet spell: under load the writer wakes by itself
    }
    return true;
  }

  /** The recording threads' lanes (tests). */
  int lanes() {
    return lanes.size();
  }

  private Lane newLane() {
    Lane l = new Lane();
    lanes.add(l);
    return l;
  }

  /** Events dropped because the queue was full or the log closed. */
  public long dropped() {
    return dropped.get();
  }

  /** Events that could not be encoded, and batches that could not be written or committed (each logged). */
  public long writeErrors() {
    return writeErrors.get();
  }

  /** The seq of the last record made durable. */
  public long committedSeq() {
    return committedSeq.get();
  }

  /**
   * Waits until everything enqueued before this call is committed; returns the last committed seq (at
   * once once the log is closed).
   *
   * @throws IllegalStateException if the writer thread has stopped (an error it could not survive)
   */
  public long sync() throws InterruptedException {
    if (closed) {
      writer.join(); // a close under way commits everything queued first
      return committedSeq.get();
    }
    CompletableFuture<Long> done = requestSync();
    while (true) {
      try {
        return done.get(1, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        if (!writer.isAlive() && !done.isDone()) {
          if (closed) {
            return committedSeq.get(); // closed cleanly after this sync was asked for
          }
          throw new IllegalStateException(stopped());
        }
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
      }
    }
  }

  private String stopped() {
    return "audit: the writer of " + dir + " has stopped; nothing more is committed";
  }

  private CompletableFuture<Long> requestSync() {
    CompletableFuture<Long> done = new CompletableFuture<>();
    control(new Sync(done));
    return done;
  }

  /**
   * As {@link #sync()}, waiting at most the timeout; the last committed seq either way (at once once the
   * log is closed).
   */
  public long sync(long timeoutMillis) throws InterruptedException {
    if (closed) {
      return committedSeq.get();
    }
    try {
      return requestSync().get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return committedSeq.get();
    }
  }

  /** Stops taking events, writes and commits everything queued, and stops the writer. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      control(CLOSE);
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A sync or close: never dropped, and the writer is woken for it at once. */
  private void control(Object item) {
    control.offer(item);
    LockSupport.unpark(writer);
  }

  /**
   * Whether a sync, the close or an event waits: in a lane's queue, or taken by the writer and held
   * back for its next pass (stamped after the cut).
   */
  private boolean waiting() {
    if (!control.isEmpty()) {
      return true;
    }
    for (Lane l : lanes) {
      if (!l.queue.isEmpty() || !l.taken.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  private void run() {
    boolean clean = false;
    try {
      writeUntilClosed();
      clean = true;
    } finally {
      cache.close(); // also when the writer dies of an error
      // A sync asked for after the close, or that a writer dying of an error cannot answer, is answered
      // here, so that none waits for ever.
      for (Object o = control.poll(); o != null; o = control.poll()) {
        if (o instanceof Sync s) {
          if (clean) {
            s.done().complete(committedSeq.get());
          } else {
            s.done().completeExceptionally(new IllegalStateException(stopped()));
          }
        }
      }
    }
  }

  // The writer's own state from one pass to the next.
  private final List<Pending> batch = new ArrayList<>();
  private final List<Sync> syncs = new ArrayList<>();
  private long lastCommit;
  private boolean closing;

  /**
   * The writer's loop. Each pass is its own method, and each step of it too: the loop runs once per
   * process, so a loop body inlined here would only ever run as an on-stack-replacement compile, which
   * the JIT throws away and compiles again whole (measured: hundreds of milliseconds of C2 each time,
   * and the writer interpreted meanwhile) whenever a rare branch is first taken (a new segment, a large
   * window). Small methods called every few milliseconds are compiled once, normally.
   */
  private void writeUntilClosed() {
    lastCommit = System.nanoTime() - commitNanos;
    while (!closing) {
      pass();
    }
    try {
      channel.close();
    } catch (IOException e) {
      log.warn("audit: closing {}: {}", dir, e.toString());
    }
  }

  /** Waits for work, seals what has come, and writes and commits when that is due. */
  private void pass() {
    boolean work = awaitWork();
    long cut = work ? takeWork() : 0;
    boolean everything = closing;
    if (Thread.interrupted()) {
      closing = true;
      everything = true;
    }
    if (work || everything) {
      merge(cut, everything);
    }
    sealBatch();
    boolean commit = System.nanoTime() - lastCommit >= commitNanos || closing || !syncs.isEmpty();
    if (out.size() > 0 && (commit || out.size() >= WRITE_BYTES)) {
      writeOut();
    }
    if (!building.isEmpty() && commit) {
      commitWindow();
    }
    for (Sync s : syncs) {
      s.done().complete(committedSeq.get());
    }
    syncs.clear();
  }

  /**
   * Whether something waits (events, a sync, the close): if nothing does, parks until something is
   * offered or the commit is due.
   */
  private boolean awaitWork() {
    long wait = building.isEmpty() ? 1_000_000_000L : lastCommit + commitNanos - System.nanoTime();
    boolean work = waiting();
    if (!work && wait > 0) {
      // Nothing to do until an event comes (or the commit is due): say so before looking once more,
      // so an event offered in between either is seen here or unparks the writer.
      writerIdle = true;
      work = waiting();
      if (!work) {
        LockSupport.parkNanos(wait);
        work = waiting();
      }
      writerIdle = false;
    }
    return work;
  }

  /**
   * Under load, waits out the slice, then takes the syncs, the close and what the lanes hold; returns
   * the moment the taking began (the cut).
   */
  private long takeWork() {
    // Under load, take events a slice at a time (every DRAIN_NANOS) rather than one wake-up per event,
    // and commit when the commit is due: slices small enough that the events are still in cache when
    // they are sealed. A sync or close unparks it early. After a quiet spell the commit is already
    // due, so a lone event is committed at once.
    long untilDue = lastCommit + commitNanos - System.nanoTime();
    if (untilDue > 0 && control.isEmpty()) {
      LockSupport.parkNanos(Math.min(untilDue, DRAIN_NANOS));
    }
    // Syncs and the close first: whatever was recorded before them is in the lanes by now.
    for (Object o = control.poll(); o != null; o = control.poll()) {
      if (o == CLOSE) {
        closing = true;
      } else {
        syncs.add((Sync) o);
      }
    }
    // One order for the whole replica: the lanes are merged by the time each offer began, up to the
    // moment this pass began. If one event was offered before another began to be, the later one
    // cannot be sealed first: stamped after this cut, it waits for the next pass, by which its
    // forerunner is in its lane; stamped before, its forerunner was offered before the cut too, and
    // is taken in this pass, however the lanes are visited. (Events offered side by side have no
    // order to keep.) Whatever a sync or the close waits for was offered before the cut.
    long cut = System.nanoTime();
    take();
    return cut;
  }

  /** Seals the batch into the chain, after what is already in {@code out}. */
  private void sealBatch() {
    for (Pending p : batch) {
      int lineStart = out.size();
      sealer.seal(out, seq + 1, prev, p.chunk(), p.from(), p.length());
      out.raw('\n');
      seq++;
      building.add(seq, p, segmentFirst, segmentSize + lineStart, out.size() - lineStart, prev);
    }
    batch.clear();
  }

  /** Appends the sealed lines to the segment in one write. */
  private void writeOut() {
    try {
      write();
    } catch (IOException e) {
      // Reopening takes seq and prev from the last whole record on disk: the chain goes on from
      // there, so the file stays verifiable, and the records of this window that did reach the file
      // whole are committed with it (not left for the next start's replay); the rest are lost.
      writeErrors.incrementAndGet();
      long last = seq;
      reopenAfterError();
      log.error("audit: cannot write records {} to {} to {}: {}; the chain goes on from {}",
          seq + 1, last, dir, e.toString(), seq);
    }
    out.reset();
  }

  /**
   * Forces the window to disk and hands it to the listener (after a failed fsync, once written again
   * and forced: {@link #rewrite}); starts a new segment once this one is full.
   */
  private void commitWindow() {
    lastCommit = System.nanoTime();
    boolean durable;
    try {
      channel.force(false);
      durable = true;
    } catch (IOException e) {
      writeErrors.incrementAndGet();
      durable = rewrite(building, e);
    }
    if (durable) {
      cache.dropBefore(segmentSize - KEEP_CACHED);
      committedSeq.set(seq);
      AuditCommit done = building.handOver(prev);
      building = new AuditCommit(dir, replica, done.size() + done.size() / 4);
      notifyListener(done);
    } else {
      // Not committed, now or later: its lines stay in the file and the chain goes on from them. Once a
      // later window is committed, the store's copier copies them from the file
      // (StoreCopier#copyInOrder); verify of the files names them if the disk did lose them. Their pages
      // may be the only copy: none of this segment is dropped from the page cache any more.
      cache.stop();
      building = new AuditCommit(dir, replica);
    }
    if (segmentSize >= options.segmentBytes()) {
      try {
        startSegment(seq + 1);
      } catch (IOException e) {
        writeErrors.incrementAndGet();
        log.error("audit: cannot start a new segment in {}: {}", dir, e.toString());
      }
    }
  }

  /**
   * Moves what every lane's queue holds to its {@code taken}, and lets go of the lanes of threads that
   * ended once nothing of theirs is left.
   */
  private void take() {
    for (Lane l : lanes) {
      int n = 0;
      for (Pending p = l.queue.poll(); p != null; p = l.queue.poll()) {
        l.taken.add(p);
        n++;
      }
      if (n > 0) {
        waitingEvents.addAndGet(-n);
      } else if (l.taken.isEmpty() && !l.owner.isAlive() && l.queue.isEmpty()) {
        // Its thread is gone (and all it wrote is visible) and the lane is empty: nothing more can
        // come through it. What it took off the count without having added it is given back.
        waitingEvents.addAndGet(l.uncounted);
        lanes.remove(l);
      }
    }
  }

  /**
   * Adds to batch, in stamp order, the taken events stamped up to the cut (all of them when
   * {@code everything}): each lane is in stamp order already, so this merges them, always taking the
   * lane whose next event is the earliest. There are a few lanes (one per event loop, and the admin's),
   * so looking at each one's head per event costs less than sorting the batch did.
   */
  private void merge(long cut, boolean everything) {
    Lane[] ls = lanes.toArray(NO_LANES);
    while (true) {
      Lane first = null;
      long firstStamp = 0;
      for (Lane l : ls) {
        Pending p = l.taken.peekFirst();
        if (p != null && (everything || p.stamp() - cut <= 0) && (first == null || p.stamp() - firstStamp < 0)) {
          first = l;
          firstStamp = p.stamp();
        }
      }
      if (first == null) {
        return; // nothing left, or only what was stamped after the cut
      }
      batch.add(first.taken.pollFirst());
    }
  }

  private static final Lane[] NO_LANES = new Lane[0];

  private void notifyListener(List<AuditRecord> done) {
    try {
      listener.committed(done);
    } catch (RuntimeException e) {
      log.error("audit: commit listener failed", e);
    }
  }

  private void write() throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(out.buffer(), 0, out.size());
    while (buf.hasRemaining()) {
      segmentSize += channel.write(buf);
    }
  }

  /**
   * After a failed fsync: Linux may have dropped the window's pages whose writeback failed, and marks
   * them clean, so a later fsync that succeeds says nothing of them. The window is read back (from the
   * page cache, if its pages are still there), checked against the chain (every line's hash, their
   * links, and the last one's hash, which the writer holds), written again at the same place, which
   * makes its pages dirty again, and forced. True when that force succeeded: the window is durable now.
   */
  private boolean rewrite(AuditCommit window, IOException failure) {
    String what = "records " + window.firstSeq() + " to " + window.lastSeq() + " in " + dir;
    try {
      byte[] bytes = window.readAgain();
      if (bytes == null) {
        throw new IOException("the window is not one stretch of one segment");
      }
      String text = new String(bytes, StandardCharsets.UTF_8);
      List<String> lines = text.lines().toList();
      if (!text.endsWith("\n") || lines.size() != window.size()) {
        throw new IOException("the window reads back short");
      }
      ChainVerifier.Result check = ChainVerifier.verify(lines.iterator(),
          new ChainVerifier.Anchor(window.firstSeq() - 1, AuditRecord.parse(lines.getFirst()).prev()),
          new ChainVerifier.Anchor(window.lastSeq(), new String(prev, StandardCharsets.ISO_8859_1)));
      if (!check.ok() || check.last().seq() != window.lastSeq()) {
        throw new IOException("the window reads back changed: " + check.message());
      }
      // Not the appending channel: on Linux a positional write to an O_APPEND file appends (pwrite(2)).
      AuditRecord.Position at = window.position(0);
      try (FileChannel out = opener.open(AuditFiles.segment(dir, replica, at.segment()), StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          out.write(buf, at.offset() + buf.position());
        }
        out.force(false);
      }
      log.warn("audit: an fsync failed ({}); {} were written again and made durable", failure.toString(), what);
      return true;
    } catch (IOException | RuntimeException e) {
      log.error("audit: cannot commit {}: {}, and writing them again failed: {}; they are not committed", what,
          failure.toString(), e.toString());
      return false;
    }
  }

  private void reopenAfterError() {
    boolean durable = true;
    try {
      // What this window wrote before the failure must be durable before it is committed, and the
      // channel may be replaced by a new segment's below.
      channel.force(false);
    } catch (IOException | RuntimeException e) {
      durable = false;
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // reopened below
    }
    try {
      openTail();
    } catch (IOException | RuntimeException e) {
      durable = false;
      log.error("audit: cannot reopen {}: {}", dir, e.toString());
    }
    // The window keeps the records the file holds whole (those up to its last record, which openTail
    // read); without the force, none: not known to be durable, they are not handed to the store now.
    // Whatever of them the file does hold the store's copier copies from it once a later window is
    // committed (StoreCopier#copyInOrder), and verify sees it.
    int kept = durable ? building.countUpTo(seq) : 0;
    building.dropFrom(kept);
    // The failed write may have left pages the disk never got, and openTail's force proves nothing of
    // them: this segment's pages all stay in the page cache.
    cache.stop();
  }

  /**
   * Finds the last complete record of this replica's chain, cuts off a torn last line, and opens the
   * last segment for appending (or the first one, seq 1, for a new replica).
   */
  private void openTail() throws IOException {
    List<Path> segments = AuditFiles.segments(dir, replica);
    seq = 0;
    setPrev(AuditRecord.GENESIS);
    Path tail = null;
    for (int i = segments.size() - 1; i >= 0 && tail == null; i--) {
      Path p = segments.get(i);
      byte[] bytes = Files.readAllBytes(p);
      int end = bytes.length;
      while (end > 0 && bytes[end - 1] != '\n') {
        end--;
      }
      if (end < bytes.length) {
        log.warn("audit: cutting a torn last line ({} bytes) off {}", bytes.length - end, p);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
          ch.truncate(end);
          ch.force(true);
        }
      }
      if (end == 0) {
        if (i == segments.size() - 1) {
          tail = null; // an empty segment: look at the one before, but keep appending here
          Files.delete(p);
        }
        continue;
      }
      int start = end - 1;
      while (start > 0 && bytes[start - 1] != '\n') {
        start--;
      }
      AuditRecord last = AuditRecord.parse(new String(bytes, start, end - 1 - start, StandardCharsets.UTF_8));
      seq = last.seq();
      setPrev(last.hash()); // 64 hex digits: parse() refuses a line without them
      tail = p;
      segmentSize = end;
      segmentFirst = AuditFiles.firstSeq(p);
    }
    if (tail == null || segmentSize >= options.segmentBytes()) {
      startSegment(seq + 1);
    } else {
      channel = opener.open(tail, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      cacheOf(tail, segmentSize);
      // What a process killed between its write and its fsync left only in the page cache: durable before
      // the chain goes on from it, and before the store's replay counts it as committed.
      channel.force(false);
    }
  }

  /** The page cache of the segment now appended to, which keeps its first {@code from} bytes cached. */
  private void cacheOf(Path segment, long from) {
    cache.close();
    cache = PageCache.open(segment, from);
  }

  private void setPrev(String hash) {
    byte[] b = hash.getBytes(StandardCharsets.ISO_8859_1);
    if (b.length != 64) {
      throw new IllegalStateException("audit: the last record's hash is not 64 hex digits: " + hash);
    }
    System.arraycopy(b, 0, prev, 0, 64);
  }

  private void startSegment(long firstSeq) throws IOException {
    if (channel != null && channel.isOpen()) {
      channel.close();
    }
    Path p = AuditFiles.segment(dir, replica, firstSeq);
    channel = opener.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    segmentSize = channel.size();
    cacheOf(p, segmentSize);
    segmentFirst = firstSeq;
    // Make the new name itself durable: fsync the directory entry.
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      log.warn("audit: cannot fsync directory {}: {}", dir, e.toString());
    }
  }
}
