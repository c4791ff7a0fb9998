package dev.portcullis.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Retention: events older than the configured number of days leave the store and the audit files, and
 * what remains still verifies.
 *
 * <p>The store drops a prefix of each replica's chain and keeps, as its anchor, the seq and hash of the
 * last record dropped ({@link AuditStore#purgeBefore}). The files drop whole segments, never the one being
 * written, only when every record in them is older than the cutoff and already in the store; the anchor
 * file {@code replica-ID.anchor} then holds the last dropped record's seq and hash, and verification of
 * the files starts there. The anchor is written before the segments are deleted: after a crash in
 * between, segments wholly at or before the anchor are skipped by {@link #liveSegments} and deleted by
 * the next purge.
 */
public final class AuditRetention {
  private static final Pattern SEGMENT_SEQ = Pattern.compile(".*-(\\d{20})\\.jsonl");

  private AuditRetention() {}

  static Path anchorFile(Path auditDir, String replica) {
    return auditDir.resolve("replica-" + replica + ".anchor");
  }

  /** Where verification of a replica's files starts: its anchor file, or the chain's start. */
  public static ChainVerifier.Anchor fileAnchor(Path auditDir, String replica) throws IOException {
    Path file = anchorFile(auditDir, replica);
    if (!Files.exists(file)) {
      return ChainVerifier.Anchor.START;
    }
    String[] parts = Files.readString(file, StandardCharsets.UTF_8).strip().split(" ");
    if (parts.length != 2 || !parts[0].matches("\\d{1,19}") || !parts[1].matches("[0-9a-f]{64}")) {
      throw new IOException(file + " is not an audit anchor (SEQ HASH)");
    }
    return new ChainVerifier.Anchor(Long.parseLong(parts[0]), parts[1]);
  }

  /** The replica's segments that hold records after the anchor. */
  public static List<Path> liveSegments(Path auditDir, String replica, ChainVerifier.Anchor anchor) throws IOException {
    List<Path> all = AuditFiles.segments(auditDir, replica);
    List<Path> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      boolean wholyBefore = i + 1 < all.size() && firstSeq(all.get(i + 1)) <= anchor.seq() + 1;
      if (!wholyBefore) {
        out.add(all.get(i));
      }
    }
    return out;
  }

  /**
   * Deletes the replica's oldest segments whose records are all older than the cutoff and already let go
   * of by the store (seq at most {@code storedSeq}, the store's anchor); returns how many records they
   * held.
   */
  public static long purgeFiles(Path auditDir, String replica, Instant cutoff, long storedSeq) throws IOException {
    List<Path> segments = AuditFiles.segments(auditDir, replica);
    List<Path> doomed = new ArrayList<>();
    AuditRecord last = null;
    long records = 0;
    for (int i = 0; i + 1 < segments.size(); i++) {
      Tail tail = tail(segments.get(i));
      if (tail.last == null || tail.last.seq() > storedSeq
          || !tail.last.event().time().isBefore(cutoff)) {
        break;
      }
      doomed.add(segments.get(i));
      last = tail.last;
      records += tail.count;
    }
    if (last == null) {
      return 0;
    }
    Path anchor = anchorFile(auditDir, replica);
    Path tmp = auditDir.resolve(anchor.getFileName() + ".tmp");
    Files.writeString(tmp, last.seq() + " " + last.hash() + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, anchor, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    for (Path p : doomed) {
      Files.deleteIfExists(p);
    }
    return records;
  }

  private record Tail(AuditRecord last, long count) {}

  private static Tail tail(Path segment) throws IOException {
    String lastLine = null;
    long count = 0;
    try (BufferedReader r = Files.newBufferedReader(segment, StandardCharsets.UTF_8)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isEmpty()) {
          lastLine = line;
          count++;
        }
      }
    }
    if (lastLine == null) {
      return new Tail(null, 0);
    }
    try {
      return new Tail(AuditRecord.parse(lastLine), count);
    } catch (AuditRecord.MalformedRecordException e) {
      return new Tail(null, count); // left for verify to report, never purged
    }
  }

  private static long firstSeq(Path segment) {
    Matcher m = SEGMENT_SEQ.matcher(segment.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : Long.MAX_VALUE;
  }
}
