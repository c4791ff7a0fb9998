package dev.portcullis.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies each committed audit record, one JSON line as sealed, to log shippers: a JSON Lines file
 * and/or standard output. They get only what the audit file already committed, on their own thread,
 * so a slow pipe or a full disk never holds up the audit log; when they fall more than
 * {@value #QUEUE} batches behind, batches are dropped and counted ({@link #dropped()}).
 *
 * <p>The file is opened for each batch and appended to, so an external rotation by rename (logrotate
 * without copytruncate) just starts a new file.
 */
public final class LineSinks implements AuditLog.CommitListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LineSinks.class);
  static final int QUEUE = 4096;

  private final Optional<Path> file;
  private final Optional<PrintStream> stdout;
  private final BlockingQueue<List<AuditRecord>> queue = new ArrayBlockingQueue<>(QUEUE);
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final Thread thread;
  private volatile boolean closing;

  /** Sinks to a file and/or a stream (standard output in production); empty for none. */
  public LineSinks(Optional<Path> file, Optional<PrintStream> stdout) {
    this.file = file;
    this.stdout = stdout;
    this.thread = Thread.ofPlatform().name("audit-sinks").daemon(true).start(this::run);
  }

  public boolean any() {
    return file.isPresent() || stdout.isPresent();
  }

  @Override
  public void committed(List<AuditRecord> records) {
    if (!queue.offer(records)) {
      // Called on the audit writer's thread: a range of the file is counted, not read.
      dropped.addAndGet(records instanceof StoreCopier.FileRange r ? r.expected() : records.size());
    }
  }

  /** Records not written to the sinks because they fell behind. */
  public long dropped() {
    return dropped.get();
  }

  /** Records written to the sinks so far. */
  public long written() {
    return written.get();
  }

  private void run() {
    while (true) {
      List<AuditRecord> batch;
      try {
        batch = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (batch == null) {
        if (closing) {
          return;
        }
        continue;
      }
      List<List<AuditRecord>> all = new ArrayList<>();
      all.add(batch);
      queue.drainTo(all);
      try {
        write(all);
      } catch (RuntimeException e) {
        // Lines that cannot be read back from the audit file: those are lost to the sinks, not the sinks.
        long n = all.stream().mapToLong(List::size).sum();
        dropped.addAndGet(n);
        log.error("audit: cannot hand {} records to the sinks: {}", n, e.toString());
      }
    }
  }

  private void write(List<List<AuditRecord>> lists) {
    java.io.ByteArrayOutputStream lines = new java.io.ByteArrayOutputStream(64 << 10);
    long records = 0;
    for (List<AuditRecord> list : lists) {
      if (list instanceof AuditCommit c && c.oneRun()) {
        lines.writeBytes(c.lineBytes()); // the lines as the writer wrote them, read back in one go
      } else {
        for (AuditRecord r : list) {
          lines.writeBytes((r.line() + "\n").getBytes(StandardCharsets.UTF_8));
        }
      }
      records += list.size();
    }
    byte[] bytes = lines.toByteArray();
    if (file.isPresent()) {
      try (OutputStream out = Files.newOutputStream(file.get(), StandardOpenOption.CREATE, StandardOpenOption.APPEND,
          StandardOpenOption.WRITE)) {
        out.write(bytes);
      } catch (IOException e) {
        log.error("audit: cannot append to the audit file sink {}: {}", file.get(), e.toString());
      }
    }
    stdout.ifPresent(s -> {
      s.write(bytes, 0, bytes.length);
      s.flush();
    });
    written.addAndGet(records);
  }

  /** Writes what is queued, then stops. */
  @Override
  public void close() {
    closing = true;
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
