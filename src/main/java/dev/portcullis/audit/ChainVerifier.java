package dev.portcullis.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/**
 * Checks one replica's hash chain and names the first record that is not as written.
 *
 * <p>Each record must hash to its own hash (else: edited), carry seq one past the record before it
 * (a jump: removed, or reordered when the missing seq turns up later), carry the previous record's
 * hash as prev (else: the record before was edited and re-sealed), and the chain must reach the
 * expected end when one is known (else: truncated). A torn last line is truncation too.
 *
 * <p>The chain starts at {@link Anchor#START} (seq 0, {@link AuditRecord#GENESIS}), or, after
 * retention purged the oldest records, at the anchor the purge left: the seq and hash of the last
 * purged record.
 */
public final class ChainVerifier {

  /** A trusted point of a chain: the record with this seq has this hash. */
  public record Anchor(long seq, String hash) {
    public static final Anchor START = new Anchor(0, AuditRecord.GENESIS);
  }

  public enum Problem { EDITED, REMOVED, REORDERED, TRUNCATED }

  /**
   * The outcome: {@code problem} null when the chain is intact, else the kind and the seq of the first
   * bad record, with a sentence for people.
   */
  public record Result(long records, Anchor last, Problem problem, long seq, String message) {
    public boolean ok() {
      return problem == null;
    }

    static Result bad(long records, Anchor last, Problem problem, long seq, String message) {
      return new Result(records, last, problem, seq, message);
    }
  }

  private ChainVerifier() {}

  /**
   * Verifies a chain given as lines in order.
   *
   * @param lines the records' lines; a line of null stands for a torn (unterminated) last line
   * @param start the anchor the chain continues from
   * @param expectedEnd the last record known to exist (from the store, say), or null
   */
  public static Result verify(Iterator<String> lines, Anchor start, Anchor expectedEnd) {
    long count = 0;
    long expected = start.seq() + 1;
    String prev = start.hash();
    while (lines.hasNext()) {
      String line = lines.next();
      if (line == null) {
        return Result.bad(count, new Anchor(expected - 1, prev), Problem.TRUNCATED, expected,
            "record " + expected + " is cut off: the file was truncated");
      }
      AuditRecord r;
      try {
        r = AuditRecord.parse(line);
      } catch (AuditRecord.MalformedRecordException e) {
        return Result.bad(count, new Anchor(expected - 1, prev), Problem.EDITED, expected,
            "record " + expected + " was edited: " + e.getMessage());
      }
      if (!r.intact()) {
        return Result.bad(count, new Anchor(expected - 1, prev), Problem.EDITED, r.seq(),
            "record " + r.seq() + " was edited: its content no longer matches its hash");
      }
      if (r.seq() != expected) {
        long missing = expected;
        boolean later = r.seq() < expected;
        while (!later && lines.hasNext()) {
          String rest = lines.next();
          try {
            later = rest != null && AuditRecord.parse(rest).seq() == missing;
          } catch (AuditRecord.MalformedRecordException ignored) {
            // keep looking
          }
        }
        Anchor last = new Anchor(expected - 1, prev);
        if (r.seq() < expected) {
          return Result.bad(count, last, Problem.REORDERED, r.seq(),
              "record " + r.seq() + " appears after record " + (expected - 1) + ": records were reordered");
        }
        if (later) {
          return Result.bad(count, last, Problem.REORDERED, missing,
              "record " + r.seq() + " appears where record " + missing + " should be: records were reordered");
        }
        return Result.bad(count, last, Problem.REMOVED, missing,
            "record " + missing + (r.seq() - missing > 1 ? " to " + (r.seq() - 1) : "")
                + " was removed: record " + (expected - 1) + " is followed by record " + r.seq());
      }
      if (!r.prev().equals(prev)) {
        long bad = r.seq() - 1;
        return Result.bad(count, new Anchor(expected - 1, prev), Problem.EDITED, bad,
            "record " + bad + " was edited or replaced: record " + r.seq() + " does not chain to it");
      }
      count++;
      expected++;
      prev = r.hash();
    }
    Anchor last = new Anchor(expected - 1, prev);
    if (expectedEnd != null) {
      if (expectedEnd.seq() > last.seq()) {
        return Result.bad(count, last, Problem.TRUNCATED, last.seq() + 1,
            "records " + (last.seq() + 1) + " to " + expectedEnd.seq() + " are missing: the chain was truncated");
      }
      if (expectedEnd.seq() == last.seq() && !expectedEnd.hash().equals(last.hash())) {
        return Result.bad(count, last, Problem.EDITED, last.seq(),
            "record " + last.seq() + " differs from the copy it was checked against");
      }
    }
    return new Result(count, last, null, 0, "intact: " + count + " records, last seq " + last.seq());
  }

  /** Verifies a replica's segment files in DATA_DIR/audit. */
  public static Result verifyFiles(Path auditDir, String replica, Anchor start, Anchor expectedEnd)
      throws IOException {
    List<Path> segments = AuditRetention.liveSegments(auditDir, replica, start);
    return verify(new FileLines(segments), start, expectedEnd);
  }

  /** The lines of several files in order; an unterminated last line of any file is given as null. */
  private static final class FileLines implements Iterator<String> {
    private final Iterator<Path> files;
    private Iterator<String> current = java.util.Collections.emptyIterator();

    FileLines(List<Path> files) {
      this.files = files.iterator();
    }

    @Override
    public boolean hasNext() {
      while (!current.hasNext() && files.hasNext()) {
        current = read(files.next()).iterator();
      }
      return current.hasNext();
    }

    @Override
    public String next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      return current.next();
    }

    private static List<String> read(Path file) {
      // Segments are bounded in size, so reading one whole is fine and keeps torn-line detection simple.
      try {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<String> out = new java.util.ArrayList<>(text.lines().toList());
        if (!text.isEmpty() && !text.endsWith("\n")) {
          out.set(out.size() - 1, null);
        }
        return out;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }
}
