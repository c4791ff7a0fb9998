package dev.portcullis.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.RandomAccess;
import java.util.Set;

/**
 * The records of one commit window, as the writer hands them to its listener: for each record its seq
 * and its place in the replica's segment files, and for each part of the window that makes one of the
 * store's blocks ({@link Part}) its time range, members, services, tags and last hash, which the writer
 * gathered as it sealed, from what the recording thread had read off each event.
 *
 * <p>It holds neither the lines nor the events: the file has them, durably, and keeping them here
 * until the store copy (up to a few hundred milliseconds under load) made every young collection copy
 * megabytes of them. The embedded store, whose blocks point at the file, needs nothing more; a listener
 * that reads the records as a {@code List<AuditRecord>}, or the lines ({@link #lineBytes}), gets them
 * read back from the file (the page cache, so soon after the write) on first use.
 *
 * <p>Filled by the writer thread only, and never changed once handed over.
 */
public final class AuditCommit extends AbstractList<AuditRecord> implements RandomAccess {
  // Tags of an event, as bits: its kind, and its decision if it is one.
  static final int DECISION = 1;
  static final int ADMIN = 2;
  static final int ALLOW = 4;
  static final int DENY = 8;
  static final int ERROR = 16;
  /** The store's name of each tag, by bit. */
  private static final String[] TAG_NAMES = {"decision", "admin", "allow", "deny", "error"};

  private final Path dir;
  private final String replica;
  private int count;
  private int[] lengths; // of each line, with its newline
  private long[] seqs;
  private long[] segments;
  private long[] offsets;
  private long bytes;
  private String lastHash;
  private byte[] read; // the window's lines, once read back (one run only)

  /**
   * What the store's blocks hold of the window, gathered record by record: the window is cut into parts
   * as {@link AuditStore} cuts records into blocks (at most {@link AuditStore#BLOCK_RECORDS} records,
   * closed once they reach {@link AuditStore#BLOCK_CHARS} bytes), so that a window of any size, such as
   * the one that gathers while an fsync waits on a slow disk for a second or two, is stored as blocks
   * without reading and parsing its records.
   */
  record Part(int from, int to, long timeMin, long timeMax, Set<String> members, Set<String> services,
      Set<String> tags, String lastHash, long bytes) {}

  private final java.util.List<Part> parts = new java.util.ArrayList<>(1);
  private int partFrom;
  private long partBytes;
  private long timeMin = Long.MAX_VALUE;
  private long timeMax = Long.MIN_VALUE;
  private Set<String> members = new LinkedHashSet<>();
  private Set<String> services = new LinkedHashSet<>();
  private Set<String> tags = new LinkedHashSet<>();
  private int tagBits;
  private String lastMember;
  private String lastService;
  private boolean gathered = true; // false once a failed slice was taken out again

  AuditCommit(Path dir, String replica) {
    this(dir, replica, 256);
  }

  /**
   * @param capacity records it holds before its arrays grow: the writer passes the size of the window
   *     before, so that under steady load they are allocated once per window and not grown in steps
   */
  AuditCommit(Path dir, String replica, int capacity) {
    this.dir = dir;
    this.replica = replica;
    int n = Math.max(16, capacity);
    lengths = new int[n];
    seqs = new long[n];
    segments = new long[n];
    offsets = new long[n];
  }

  /** An event's tags, as bits. */
  static int tags(AuditEvent e) {
    int bits = e.kind() == AuditEvent.Kind.DECISION ? DECISION : ADMIN;
    if (e.decision() != null) {
      bits |= switch (e.decision()) {
        case ALLOW -> ALLOW;
        case DENY -> DENY;
        case ERROR -> ERROR;
      };
    }
    return bits;
  }

  /**
   * A record just sealed, whose line (with its newline) is at offset in the segment; {@code hashHex} holds
   * its hash as 64 hex digits (read only when it ends a part).
   */
  void add(long seq, AuditLog.Pending p, long segment, long offset, int length, byte[] hashHex) {
    if (count == seqs.length) {
      int n = count * 2;
      lengths = Arrays.copyOf(lengths, n);
      seqs = Arrays.copyOf(seqs, n);
      segments = Arrays.copyOf(segments, n);
      offsets = Arrays.copyOf(offsets, n);
    }
    lengths[count] = length;
    seqs[count] = seq;
    segments[count] = segment;
    offsets[count] = offset;
    count++;
    bytes += length;
    partBytes += length;
    timeMin = Math.min(timeMin, p.millis());
    timeMax = Math.max(timeMax, p.millis());
    // The same member or service comes many times in a row: comparing with the last one spares the set.
    if (p.member() != null && !p.member().equals(lastMember)) {
      members.add(p.member());
      lastMember = p.member();
    }
    if (p.service() != null && !p.service().equals(lastService)) {
      services.add(p.service());
      lastService = p.service();
    }
    int fresh = p.tags() & ~tagBits;
    if (fresh != 0) {
      // In the order the store's block has them: the kind, then the decision, as first seen.
      for (int bit = 0; bit < TAG_NAMES.length; bit++) {
        if ((fresh & 1 << bit) != 0) {
          tags.add(TAG_NAMES[bit]);
        }
      }
      tagBits |= p.tags();
    }
    if (count - partFrom >= AuditStore.BLOCK_RECORDS || partBytes >= AuditStore.BLOCK_CHARS) {
      closePart(hashHex);
    }
  }

  private void closePart(byte[] lastHashHex) {
    parts.add(new Part(partFrom, count, timeMin, timeMax, members, services, tags,
        new String(lastHashHex, 0, 64, StandardCharsets.ISO_8859_1), partBytes));
    partFrom = count;
    partBytes = 0;
    timeMin = Long.MAX_VALUE;
    timeMax = Long.MIN_VALUE;
    members = new LinkedHashSet<>();
    services = new LinkedHashSet<>();
    tags = new LinkedHashSet<>();
    tagBits = 0;
    lastMember = null;
    lastService = null;
  }

  /**
   * The records' lines as the file holds them now, read afresh (not the copy {@link #lineBytes} keeps);
   * null when they do not lie one after the other in one segment.
   */
  byte[] readAgain() {
    return contiguous() ? readBack(segments[0], offsets[0], Math.toIntExact(bytes)) : null;
  }

  /** How many of the records, from the first, have a seq of at most {@code seq}. */
  int countUpTo(long seq) {
    int n = 0;
    while (n < count && seqs[n] <= seq) {
      n++;
    }
    return n;
  }

  /** Takes out the records from index {@code from} on (a failed write). */
  void dropFrom(int from) {
    for (int i = from; i < count; i++) {
      bytes -= lengths[i];
    }
    count = from;
    gathered = false; // the parts may hold what was taken out: the store gathers from the records instead
  }

  /** Done: the writer hands the window over, with the hash of its last record as hex. */
  AuditCommit handOver(byte[] lastHashHex) {
    lastHash = new String(lastHashHex, StandardCharsets.ISO_8859_1);
    if (count > partFrom) {
      closePart(lastHashHex);
    }
    oneRun = run();
    return this;
  }

  private boolean oneRun;

  @Override
  public boolean isEmpty() {
    return count == 0;
  }

  @Override
  public int size() {
    return count;
  }

  /** Builds record i from its line in the file: its line, seq, prev and hash, and its place. */
  @Override
  public AuditRecord get(int i) {
    if (i < 0 || i >= count) {
      throw new IndexOutOfBoundsException(i);
    }
    byte[] b;
    int start;
    if (oneRun()) {
      b = lineBytes();
      start = (int) (offsets[i] - offsets[0]);
    } else {
      b = readBack(segments[i], offsets[i], lengths[i]);
      start = 0;
    }
    int end = start + lengths[i] - 1; // the newline
    String line = new String(b, start, end - start, StandardCharsets.UTF_8);
    // {"seq":N,"prev":"<64 hex>", ...
    int prevAt = start + "{\"seq\":".length() + Long.toString(seqs[i]).length() + ",\"prev\":\"".length();
    String prev = new String(b, prevAt, 64, StandardCharsets.ISO_8859_1);
    return new AuditRecord(seqs[i], prev, AuditRecord.hashOf(b, end), line, null,
        new AuditRecord.Position(segments[i], offsets[i], lengths[i]));
  }

  /**
   * The window's lines, each ended by a newline, as written: read back from the segment file on first
   * use. One run only ({@link #oneRun}).
   */
  synchronized byte[] lineBytes() {
    if (read == null) {
      read = readBack(segments[0], offsets[0], Math.toIntExact(bytes));
    }
    return read;
  }

  private byte[] readBack(long segment, long offset, int length) {
    Path file = AuditFiles.segment(dir, replica, segment);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(length);
      while (buf.hasRemaining()) {
        if (ch.read(buf, offset + buf.position()) < 0) {
          throw new UncheckedIOException(new IOException(file + " ends before the records it was written with"));
        }
      }
      return buf.array();
    } catch (IOException e) {
      throw new UncheckedIOException("audit: cannot read committed records back from " + file, e);
    }
  }

  long firstSeq() {
    return seqs[0];
  }

  long lastSeq() {
    return seqs[count - 1];
  }

  String lastHash() {
    return lastHash;
  }

  /**
   * Whether the window is one run: seqs without a gap, in one segment, line after line, and its members,
   * services and tags gathered from exactly these records. Only such a window is stored as blocks
   * from what is gathered here.
   */
  boolean oneRun() {
    return oneRun;
  }

  private boolean run() {
    return gathered && contiguous();
  }

  /** Seqs without a gap, in one segment, line after line. */
  private boolean contiguous() {
    if (count == 0 || seqs[count - 1] - seqs[0] != count - 1) {
      return false;
    }
    for (int i = 1; i < count; i++) {
      if (segments[i] != segments[0] || offsets[i] != offsets[i - 1] + lengths[i - 1]) {
        return false;
      }
    }
    return true;
  }

  /** The window cut into the store's blocks; meaningful for a window that is one run only. */
  java.util.List<Part> parts() {
    return parts;
  }

  long seq(int i) {
    return seqs[i];
  }

  /** The place of record i's line. */
  AuditRecord.Position position(int i) {
    return new AuditRecord.Position(segments[i], offsets[i], lengths[i]);
  }

  /** The bytes of all the lines, newlines included. */
  long byteLength() {
    return bytes;
  }

  /**
   * The lines of records from (inclusive) to (exclusive) joined by newlines, without the last newline:
   * what a block that holds its lines stores. One run only.
   */
  String lines(int from, int to) {
    byte[] b = lineBytes();
    int start = (int) (offsets[from] - offsets[0]);
    int end = (int) (offsets[to - 1] + lengths[to - 1] - offsets[0]) - 1;
    return new String(b, start, end - start, StandardCharsets.UTF_8);
  }
}
