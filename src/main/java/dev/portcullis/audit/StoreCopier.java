package dev.portcullis.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies committed audit records into the store on its own thread, so neither the request path nor
 * the file writer ever waits on the database. It first replays the replica's files from the last
 * stored seq (what a crash left out of the store), then copies each commit as the writer hands it
 * over (under load, the commits of up to 200 ms in one transaction, each a block; a query first has
 * everything recorded before it stored, {@link #catchUp}). Inserts are idempotent, so a record seen both ways is stored once. When the store fails, the
 * batch is retried until it succeeds or the copier is closed; anything still missing then is picked
 * up by the replay at the next start.
 */
public final class StoreCopier implements AuditLog.CommitListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StoreCopier.class);
  private static final List<AuditRecord> STOP = List.of();
  /**
   * Under load, the least time between two transactions: each costs the store a fixed amount (locks,
   * its own log write) whatever it holds, so windows that come closer together are gathered into one.
   * After a quiet spell a window is stored at once.
   */
  private static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private final AuditStore store;
  private final LinkedBlockingQueue<List<AuditRecord>> queue = new LinkedBlockingQueue<>();
  private final AtomicLong storedSeq = new AtomicLong();
  private final Thread thread;
  private volatile AuditLog auditLog;
  private volatile boolean closing;
  private volatile boolean hurry; // a reader waits: store what is there without gathering more

  public StoreCopier(AuditStore store) {
    this.store = store;
    this.thread = Thread.ofPlatform().name("audit-store").daemon(true).unstarted(this::run);
  }

  /** Opens the log with this copier as its listener, and starts copying (replay first). */
  public static AuditLog openLog(java.nio.file.Path dataDir, AuditLog.Options options, StoreCopier copier)
      throws java.io.IOException {
    return openLog(dataDir, options, copier, null);
  }

  /** As above, with the committed records handed to the line sinks too (after the copier). */
  public static AuditLog openLog(java.nio.file.Path dataDir, AuditLog.Options options, StoreCopier copier,
      LineSinks sinks) throws java.io.IOException {
    return openLog(dataDir, options, copier, sinks, java.nio.channels.FileChannel::open);
  }

  static AuditLog openLog(java.nio.file.Path dataDir, AuditLog.Options options, StoreCopier copier,
      LineSinks sinks, AuditLog.Opener opener) throws java.io.IOException {
    SinkFeed feed = sinks != null && sinks.any() ? new SinkFeed(sinks) : null;
    AuditLog.CommitListener listener = feed == null ? copier : records -> {
      copier.committed(records);
      feed.committed(records);
    };
    AuditLog auditLog = AuditLog.open(dataDir, options, listener, opener);
    if (feed != null) {
      // Before any event can be recorded (no one has the log yet), so before the first commit.
      feed.start(auditLog);
    }
    copier.auditLog = auditLog;
    copier.store.beforeRead(copier::catchUp);
    copier.thread.start();
    return auditLog;
  }

  @Override
  public void committed(List<AuditRecord> records) {
    queue.add(records);
  }

  /** The highest seq this copier has stored. */
  public long storedSeq() {
    return storedSeq.get();
  }

  /** The store it copies into. */
  public AuditStore store() {
    return store;
  }

  /**
   * Makes the store hold every event recorded before this call (waiting half a second at most), so that
   * a query sees them: the log commits what it has queued, and this copier stores it without waiting to
   * gather more. Called before the store answers a query.
   */
  public void catchUp() {
    AuditLog l = auditLog;
    if (l == null || closing || Thread.currentThread() == thread) {
      return;
    }
    try {
      long seq = l.sync(500);
      if (storedSeq.get() < seq) {
        hurry = true;
        java.util.concurrent.locks.LockSupport.unpark(thread);
        awaitStored(seq, 500);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits (up to the timeout) until the store holds the log's committed records. */
  public boolean awaitStored(long seq, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (storedSeq.get() < seq) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(2);
    }
    return true;
  }

  private void run() {
    AuditLog l = auditLog;
    try {
      // Up to the last commit: the writer is already appending, and lines past it are not yet durable.
      long added = store.replay(l.directory(), l.replica(), l.committedSeq());
      if (added > 0) {
        log.info("audit: replayed {} records of replica {} into the store", added, l.replica());
      }
      storedSeq.set(store.lastSeq(l.replica()));
    } catch (Exception e) {
      log.error("audit: replay of replica {} failed: {}", l.replica(), e.toString());
    }
    long lastCopy = System.nanoTime() - GATHER_NANOS;
    while (true) {
      List<AuditRecord> batch;
      try {
        batch = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (batch == STOP) {
        return;
      }
      long early = lastCopy + GATHER_NANOS - System.nanoTime();
      if (early > 0 && !closing && !hurry) {
        java.util.concurrent.locks.LockSupport.parkNanos(early); // a reader's catchUp unparks it
      }
      hurry = false;
      lastCopy = System.nanoTime();
      // Whatever else queued meanwhile goes in the same transaction; each commit window stays whole, so
      // that the store can take it as its blocks without building its records.
      List<List<AuditRecord>> lists = new ArrayList<>();
      lists.add(batch);
      queue.drainTo(lists);
      boolean stop = lists.removeIf(list -> list == STOP); // by identity: a list's equals would read it
      copyInOrder(l, lists);
      if (stop) {
        return;
      }
    }
  }

  /**
   * Stores the windows in one transaction, unless one starts past the next seq to store. That one follows
   * records the writer held back after a write error (their fsync failed, so they were not known to be
   * durable then). Its own commit has made the file durable up to it, so the windows before it are stored,
   * then the records the file holds in between are copied from it, then the rest: otherwise the store
   * would go on past them, and no replay (which starts after the last stored seq) would fill in.
   */
  private void copyInOrder(AuditLog l, List<List<AuditRecord>> lists) {
    List<List<AuditRecord>> run = new ArrayList<>(lists.size());
    long next = storedSeq.get() + 1;
    for (List<AuditRecord> list : lists) {
      if (list.isEmpty()) {
        continue;
      }
      long first = firstSeq(list);
      if (first > next) {
        copy(l.replica(), run);
        run.clear();
        fillGap(l, first - 1);
      }
      run.add(list);
      next = Math.max(next, lastSeq(list) + 1);
    }
    copy(l.replica(), run);
  }

  /** A handed-over list's first seq: a commit window answers without reading its lines back. */
  private static long firstSeq(List<AuditRecord> list) {
    return list instanceof AuditCommit c ? c.firstSeq() : list.getFirst().seq();
  }

  private static long lastSeq(List<AuditRecord> list) {
    return list instanceof AuditCommit c ? c.lastSeq() : list.getLast().seq();
  }

  /** Copies the replica's records from its file into the store, up to {@code upTo}. */
  private void fillGap(AuditLog l, long upTo) {
    long stored = storedSeq.get();
    String range = "records " + (stored + 1) + " to " + upTo + " of replica " + l.replica();
    retried("copy " + range + " from the audit file into the store", () -> {
      long added = store.replay(l.directory(), l.replica(), upTo);
      storedSeq.accumulateAndGet(store.lastSeq(l.replica()), Math::max);
      if (added == upTo - stored) {
        log.warn("audit: {} were not committed with their window; copied into the store from the audit file",
            range);
      } else {
        log.error("audit: {} were not committed with their window, and only {} could be read from the audit "
            + "file; verify names what is missing", range, added);
      }
    });
  }

  private void copy(String replica, List<List<AuditRecord>> lists) {
    long last = 0;
    int records = 0;
    for (List<AuditRecord> list : lists) {
      if (!list.isEmpty()) {
        last = Math.max(last, lastSeq(list));
        records += list.size();
      }
    }
    if (records == 0) {
      return;
    }
    long stored = last;
    retried("copy " + records + " records into the store", () -> {
      store.insertAll(replica, lists);
      storedSeq.accumulateAndGet(stored, Math::max);
    });
  }

  @FunctionalInterface
  private interface StoreWork {
    void run() throws java.io.IOException;
  }

  /**
   * Runs work against the store until it succeeds, backing off up to 5 s between tries, or the copier
   * closes (the file has the records; the next start replays them). A record that cannot be read from the
   * audit file is not tried again: that will not help, and verify names what is missing from the store.
   */
  private void retried(String what, StoreWork work) {
    long backoff = 100;
    while (true) {
      try {
        work.run();
        return;
      } catch (java.io.IOException | java.io.UncheckedIOException e) {
        log.error("audit: cannot {}: {}", what, e.toString());
        return;
      } catch (RuntimeException e) {
        log.error("audit: cannot {} (retrying): {}", what, e.toString());
        if (closing) {
          return;
        }
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  /** Close after the log: copies what the log committed on close, then stops. */
  @Override
  public void close() {
    closing = true;
    queue.add(STOP);
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Hands the committed windows to the line sinks, and before a window, the records that were handed to
   * no one: those of windows that were not committed with their window (both fsyncs failed; see
   * {@link AuditLog}), which the file holds and the chain goes on from. They are read from the file on the
   * sinks' own thread, once a later window is durable, as the store's copier copies them
   * ({@link #copyInOrder}). Only this process's: an earlier one's sinks had the records it committed.
   */
  private static final class SinkFeed {
    private final LineSinks sinks;
    private volatile AuditLog log;
    private long handed; // the last seq handed to the sinks; the writer thread's after start()

    SinkFeed(LineSinks sinks) {
      this.sinks = sinks;
    }

    void start(AuditLog log) {
      this.handed = log.committedSeq();
      this.log = log;
    }

    void committed(List<AuditRecord> window) {
      if (window.isEmpty()) {
        return;
      }
      long first = firstSeq(window);
      AuditLog l = log; // read first: set by start(), with handed, before any commit
      if (first > handed + 1) {
        sinks.committed(new FileRange(l.directory(), l.replica(), handed, first - 1));
      }
      sinks.committed(window);
      handed = Math.max(handed, lastSeq(window));
    }
  }

  /**
   * The records of a replica's files after one seq and up to another, read on first use (by the sinks'
   * thread: {@link LineSinks#committed} counts a dropped one by {@link #expected} without reading it).
   */
  static final class FileRange extends java.util.AbstractList<AuditRecord> {
    private final java.nio.file.Path dir;
    private final String replica;
    private final long after;
    private final long upTo;
    private List<AuditRecord> read;

    FileRange(java.nio.file.Path dir, String replica, long after, long upTo) {
      this.dir = dir;
      this.replica = replica;
      this.after = after;
      this.upTo = upTo;
    }

    /** How many records the range spans (some may be missing from the files). */
    long expected() {
      return upTo - after;
    }

    private synchronized List<AuditRecord> records() {
      if (read == null) {
        List<AuditRecord> all = new ArrayList<>();
        try {
          AuditStore.readFiles(dir, replica, after, upTo, all::addAll);
        } catch (java.io.IOException | RuntimeException e) {
          // Lost to the sinks only: the store's copier reads them on its own, and verify names what the
          // files lack.
          log.error("audit: cannot read records {} to {} of replica {} from its files for the line sinks: {}",
              after + 1, upTo, replica, e.toString());
        }
        read = all;
      }
      return read;
    }

    @Override
    public AuditRecord get(int i) {
      return records().get(i);
    }

    @Override
    public int size() {
      return records().size();
    }
  }
}
