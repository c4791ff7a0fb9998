import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;

/**
 * What appending audit lines costs the kernel on this machine, apart from everything else the writer
 * does: one thread appends lines of LINE bytes at RATE a second to a file, WRITE_MS apart, in write
 * calls of at most CHUNK bytes, with fdatasync every SYNC_MS, for SECONDS, waking every WAKE_MS on the
 * way; it prints its own CPU time (user and kernel) per line. Compare settings in the same sitting: the machine's noise moves each
 * figure by 10-20%.
 *
 * <pre>
 * java bench/AppendProbe.java WRITE_MS [SYNC_MS=50] [CHUNK=whole slice] [SECONDS=10] [LINE=531] [RATE=30000] [DIR=/tmp] [WAKE_MS=WRITE_MS]
 * for w in 5 50; do java bench/AppendProbe.java $w; done         # a write per 5 ms slice, or per 50 ms commit
 * java bench/AppendProbe.java 50 50 4096                          # the same bytes in 4 KiB write calls
 * </pre>
 */
public class AppendProbe {
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: java bench/AppendProbe.java WRITE_MS [SYNC_MS] [CHUNK] [SECONDS] [LINE] [RATE] [DIR] [WAKE_MS]");
      System.exit(2);
    }
    int writeMs = Integer.parseInt(args[0]);
    int syncMs = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    int line = args.length > 4 ? Integer.parseInt(args[4]) : 531;
    int rate = args.length > 5 ? Integer.parseInt(args[5]) : 30_000;
    Path dir = Path.of(args.length > 6 ? args[6] : "/tmp");
    int wakeMs = args.length > 7 ? Integer.parseInt(args[7]) : writeMs;
    boolean direct = args.length > 8 && args[8].equals("direct");
    int perSlice = Math.max(1, (int) ((long) rate * writeMs / 1000));
    byte[] slice = new byte[perSlice * line];
    for (int i = 0; i < slice.length; i++) {
      slice[i] = (byte) (i % line == line - 1 ? '\n' : 'a' + i % 26);
    }
    int chunk = args.length > 2 ? Integer.parseInt(args[2]) : slice.length;

    Path file = Files.createTempFile(dir, "append-probe-", ".jsonl");
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long lines = 0;
    long cpu;
    // O_DIRECT: whole 4 KiB blocks from one aligned buffer; the partial last block is written padded at each
    // sync and again, fuller, at the next one.
    ByteBuffer aligned = ByteBuffer.allocateDirect(slice.length * 4 * Math.max(1, syncMs / writeMs) + 3 * 4096)
        .alignedSlice(4096);
    long filePos = 0;
    long[] busy = new long[2];
    try (FileChannel ch = direct
        ? FileChannel.open(file, StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT)
        : FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      busy = procStat();
      long start = System.nanoTime();
      long next = start;
      long lastSync = start;
      long cpuStart = threads.getCurrentThreadCpuTime();
      while (System.nanoTime() - start < seconds * 1_000_000_000L) {
        next += writeMs * 1_000_000L;
        // Sleeps until the write is due, waking every WAKE_MS on the way (as a writer that drains often).
        for (long wait = next - System.nanoTime(); wait > 0; wait = next - System.nanoTime()) {
          LockSupport.parkNanos(Math.min(wait, wakeMs * 1_000_000L));
        }
        boolean sync = System.nanoTime() - lastSync >= (syncMs - 1) * 1_000_000L;
        if (direct) {
          if (aligned.remaining() < slice.length) {
            throw new IllegalStateException("the O_DIRECT buffer is full: syncs are falling behind");
          }
          aligned.put(slice);
          if (sync) {
            int full = aligned.position() & ~4095;
            int tail = aligned.position() - full;
            int end = full + (tail == 0 ? 0 : 4096);
            for (int i = aligned.position(); i < end; i++) {
              aligned.put(i, (byte) 0);
            }
            ByteBuffer out = aligned.duplicate().position(0).limit(end);
            long at = filePos;
            while (out.hasRemaining()) {
              at += ch.write(out, at);
            }
            filePos += full;
            // The partial block moves to the front, to be written again with what follows it.
            ByteBuffer rest = aligned.duplicate().position(full).limit(full + tail);
            aligned.clear();
            aligned.put(rest);
          }
        } else {
          for (int off = 0; off < slice.length; off += chunk) {
            ByteBuffer b = ByteBuffer.wrap(slice, off, Math.min(chunk, slice.length - off));
            while (b.hasRemaining()) {
              ch.write(b);
            }
          }
        }
        lines += perSlice;
        // A millisecond of slack, so that a sync meant for every slice is not skipped by timer jitter.
        if (sync) {
          ch.force(false);
          lastSync = System.nanoTime();
        }
      }
      cpu = threads.getCurrentThreadCpuTime() - cpuStart;
      long[] after = procStat();
      busy[0] = after[0] - busy[0];
    } finally {
      Files.deleteIfExists(file);
    }
    System.out.printf("%swrite every %d ms in calls of up to %d bytes, fdatasync every %d ms, waking every %d ms: "
        + "%.3f us CPU per %d-byte line (%d lines); whole machine busy %.3f us per line%n", direct ? "O_DIRECT " : "",
        writeMs, chunk, syncMs, wakeMs, cpu / 1000.0 / lines, line, lines, busy[0] * 10_000.0 / lines);
  }

  /** The machine's busy time so far in /proc/stat, in clock ticks (1/100 s): all but idle and iowait. */
  private static long[] procStat() throws java.io.IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long busy = 0;
    for (int i = 1; i < Math.min(f.length, 9); i++) {
      if (i != 4 && i != 5) {
        busy += Long.parseLong(f[i]);
      }
    }
    return new long[] {busy, 0};
  }
}
