package dev.portcullis.audit;

import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.RandomAccess;
import java.util.Set;

/**
 * The records of one commit window, as the writer hands them to its listener: the lines' bytes as they
 * went to the file, and for each record its seq, its place in the file and the event it holds.
 *
 * <p>The writer makes no String or record object per event: a listener that reads the records as a
 * {@code List<AuditRecord>} gets each one built when it asks for it, while the store copies the window
 * as one block straight from what is here ({@link #block}): its time range, members, services and tags,
 * which the writer gathered as it sealed, from what the recording thread had read off each event.
 *
 * <p>Filled by the writer thread only, and never changed once handed over.
 */
public final class AuditCommit extends AbstractList<AuditRecord> implements RandomAccess {
  static final int INITIAL_BYTES = 64 << 10;

  // Tags of an event, as bits: its kind, and its decision if it is one.
  static final int DECISION = 1;
  static final int ADMIN = 2;
  static final int ALLOW = 4;
  static final int DENY = 8;
  static final int ERROR = 16;

  /** The lines, each ended by a newline, in seq order. */
  final Json bytes;
  private int count;
  private int[] ends = new int[256]; // where each line's newline is, plus one
  private long[] seqs = new long[256];
  private long[] segments = new long[256];
  private long[] offsets = new long[256];
  private AuditEvent[] events = new AuditEvent[256];

  // What the store's block holds of the window, gathered record by record.
  private long timeMin = Long.MAX_VALUE;
  private long timeMax = Long.MIN_VALUE;
  private final Set<String> members = new LinkedHashSet<>();
  private final Set<String> services = new LinkedHashSet<>();
  private final Set<String> tags = new LinkedHashSet<>();
  private int tagBits;
  private String lastMember;
  private String lastService;
  private boolean gathered = true; // false once a failed slice was taken out again

  AuditCommit(int initialBytes) {
    this.bytes = new Json(Math.max(INITIAL_BYTES, initialBytes), Integer.MAX_VALUE);
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

  /** The record just sealed at the end of {@link #bytes}, with its newline. */
  void add(long seq, AuditLog.Pending p, long segment, long offset) {
    if (count == ends.length) {
      int n = count * 2;
      ends = Arrays.copyOf(ends, n);
      seqs = Arrays.copyOf(seqs, n);
      segments = Arrays.copyOf(segments, n);
      offsets = Arrays.copyOf(offsets, n);
      events = Arrays.copyOf(events, n);
    }
    ends[count] = bytes.size();
    seqs[count] = seq;
    segments[count] = segment;
    offsets[count] = offset;
    events[count] = p.event();
    count++;
    timeMin = Math.min(timeMin, p.millis());
    timeMax = Math.max(timeMax, p.millis());
    // The same member or service comes many times in a row: a reference check spares the set.
    if (p.member() != null && p.member() != lastMember) {
      members.add(p.member());
      lastMember = p.member();
    }
    if (p.service() != null && p.service() != lastService) {
      services.add(p.service());
      lastService = p.service();
    }
    int fresh = p.tags() & ~tagBits;
    if (fresh != 0) {
      // In the order the store's block has them: the kind, then the decision, as first seen.
      if ((fresh & DECISION) != 0) {
        tags.add("decision");
      }
      if ((fresh & ADMIN) != 0) {
        tags.add("admin");
      }
      if ((fresh & ALLOW) != 0) {
        tags.add("allow");
      }
      if ((fresh & DENY) != 0) {
        tags.add("deny");
      }
      if ((fresh & ERROR) != 0) {
        tags.add("error");
      }
      tagBits |= p.tags();
    }
  }

  /** Takes out the records from index {@code from} on, whose bytes start at {@code at} (a failed write). */
  void dropFrom(int from, int at) {
    for (int i = from; i < count; i++) {
      events[i] = null;
    }
    count = from;
    bytes.cut(bytes.size() - at);
    gathered = false; // the sets may name what was taken out: the store gathers from the records instead
  }

  @Override
  public boolean isEmpty() {
    return count == 0;
  }

  @Override
  public int size() {
    return count;
  }

  /** Builds record i: its line, seq, prev and hash, the event and its place in the file. */
  @Override
  public AuditRecord get(int i) {
    if (i < 0 || i >= count) {
      throw new IndexOutOfBoundsException(i);
    }
    int start = i == 0 ? 0 : ends[i - 1];
    int end = ends[i] - 1; // the newline
    byte[] b = bytes.buffer();
    String line = new String(b, start, end - start, StandardCharsets.UTF_8);
    // {"seq":N,"prev":"<64 hex>", ...
    int prevAt = start + "{\"seq\":".length() + Long.toString(seqs[i]).length() + ",\"prev\":\"".length();
    String prev = new String(b, prevAt, 64, StandardCharsets.ISO_8859_1);
    return new AuditRecord(seqs[i], prev, AuditRecord.hashOf(b, end), line, events[i],
        new AuditRecord.Position(segments[i], offsets[i], end - start + 1));
  }

  long firstSeq() {
    return seqs[0];
  }

  long lastSeq() {
    return seqs[count - 1];
  }

  String lastHash() {
    return AuditRecord.hashOf(bytes.buffer(), ends[count - 1] - 1);
  }

  /**
   * Whether the window is one run: seqs without a gap, in one segment, line after line, and its members,
   * services and tags gathered from exactly these records. Only such a window is stored as one block
   * from what is gathered here.
   */
  boolean oneRun() {
    if (!gathered || count == 0 || seqs[count - 1] - seqs[0] != count - 1) {
      return false;
    }
    for (int i = 1; i < count; i++) {
      if (segments[i] != segments[0] || offsets[i] != offsets[0] + ends[i - 1]) {
        return false;
      }
    }
    return true;
  }

  long timeMin() {
    return timeMin;
  }

  long timeMax() {
    return timeMax;
  }

  Set<String> members() {
    return members;
  }

  Set<String> services() {
    return services;
  }

  Set<String> tagNames() {
    return tags;
  }

  /** The segment and byte offset of the first line. */
  AuditRecord.Position start() {
    return new AuditRecord.Position(segments[0], offsets[0], ends[0]);
  }

  /** The bytes of all the lines, newlines included. */
  int byteLength() {
    return bytes.size();
  }

  /** The lines joined by newlines, without the last newline: what a block that holds its lines stores. */
  String lines() {
    return new String(bytes.buffer(), 0, bytes.size() - 1, StandardCharsets.UTF_8);
  }
}
