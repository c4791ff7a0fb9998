package dev.portcullis.audit;

import dev.portcullis.store.Database;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queryable copy of the audit chains, in {@code audit_blocks}: each row holds a run of consecutive
 * sealed lines of one replica's chain, as the file committed them, with the seq and time range it
 * covers and the member names, service names, kinds and decisions that occur in it (V10). One row per
 * commit rather than one per record is what keeps the copy cheap enough to run beside a busy proxy;
 * a query narrows the blocks with those columns and then reads their lines.
 *
 * <p>Blocks are only ever made from records a file has committed, and a block starts after the last
 * stored seq of its replica (checked in the same transaction), so replaying a file twice, or a record
 * arriving both live and by replay, leaves it stored once.
 */
public final class AuditStore {
  /** A block holds at most this many records... */
  static final int BLOCK_RECORDS = 4096;
  /** ...and at most about this many characters of lines. */
  static final int BLOCK_CHARS = 2 << 20;

  private static final String INSERT = "INSERT INTO audit_blocks(replica, first_seq, last_seq, time_min, time_max,"
      + " records, members, services, tags, last_hash, lines, segment, byte_offset, byte_length)"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  /** The columns {@link #lines(ResultSet, int)} reads, from the given one on. */
  private static final String WHERE_LINES_ARE = "lines, segment, byte_offset, byte_length";

  private static final Logger log = LoggerFactory.getLogger(AuditStore.class);

  private final Database db;
  private final Path auditDir;
  private final boolean pointAtFiles;

  /** A store whose blocks always hold their lines. */
  public AuditStore(Database db) {
    this(db, null);
  }

  /**
   * A store beside this replica's audit files in {@code auditDir}. On SQLite, which lives on the same
   * disk, new blocks point at the lines in the files rather than hold a second copy of them (that copy
   * was most of what auditing cost a busy proxy); on PostgreSQL, which every replica reads, blocks hold
   * their lines.
   */
  private volatile Runnable beforeRead;

  /**
   * What to run before answering a query: the copier that fills this store makes it hold everything
   * recorded so far ({@link StoreCopier#catchUp}).
   */
  void beforeRead(Runnable r) {
    this.beforeRead = r;
  }

  public AuditStore(Database db, Path auditDir) {
    this.db = db;
    this.auditDir = auditDir;
    this.pointAtFiles = auditDir != null && db.vendor() == Database.Vendor.SQLITE;
  }

  /**
   * Stores the records, which are a replica's in seq order: those at or before the replica's last stored
   * seq are left out; returns how many were new.
   */
  public int insert(String replica, List<AuditRecord> records) {
    return insertAll(replica, List.of(records));
  }

  /**
   * Stores several lists of a replica's records, in seq order, in one transaction: those at or before
   * the replica's last stored seq are left out; returns how many were new. A writer's commit window
   * ({@link AuditCommit}) that is one run is stored as the blocks the writer cut it into, from what it
   * gathered, without building its records.
   */
  public int insertAll(String replica, List<? extends List<AuditRecord>> lists) {
    if (lists.stream().allMatch(List::isEmpty)) {
      return 0;
    }
    return db.inTransaction(c -> {
      long last = lastSeq(c, replica);
      int added = 0;
      try (PreparedStatement ps = c.prepareStatement(INSERT)) {
        for (List<AuditRecord> records : lists) {
          if (records.isEmpty()) {
            continue;
          }
          if (records instanceof AuditCommit commit && commit.lastSeq() <= last) {
            continue;
          }
          List<Block> whole = records instanceof AuditCommit commit && commit.firstSeq() > last
              ? Block.ofWindow(commit, pointAtFiles) : null;
          if (whole != null) {
            for (Block b : whole) {
              b.bind(ps, replica);
              ps.executeUpdate();
            }
            added += records.size();
            last = whole.getLast().lastSeq();
            continue;
          }
          List<AuditRecord> fresh = new ArrayList<>(records.size());
          for (AuditRecord r : records) {
            if (r.seq() > last) {
              fresh.add(r);
              last = r.seq();
            }
          }
          insertBlocks(ps, replica, fresh);
          added += fresh.size();
        }
      }
      return added;
    });
  }

  private void insertBlocks(PreparedStatement ps, String replica, List<AuditRecord> records)
      throws SQLException {
    int start = 0;
    long chars = 0;
    for (int i = 0; i < records.size(); i++) {
      chars += records.get(i).line().length() + 1;
      if (i + 1 == records.size() || i + 1 - start >= BLOCK_RECORDS || chars >= BLOCK_CHARS
          || (pointAtFiles && !sameKind(records.get(i), records.get(i + 1)))) {
        Block.of(records.subList(start, i + 1), pointAtFiles).bind(ps, replica);
        ps.executeUpdate();
        start = i + 1;
        chars = 0;
      }
    }
  }

  /**
   * Whether a and b can share a block in a store that points at files: both without a place (the block
   * holds them), or b's line right after a's in the same segment file (the block points at both).
   */
  private static boolean sameKind(AuditRecord a, AuditRecord b) {
    if (a.at() == null || b.at() == null) {
      return a.at() == null && b.at() == null;
    }
    return a.at().segment() == b.at().segment() && a.at().offset() + a.at().length() == b.at().offset();
  }

  /** One row of audit_blocks, as written. */
  private record Block(long firstSeq, long lastSeq, long timeMin, long timeMax, int records, String members,
      String services, String tags, String lastHash, String lines, AuditRecord.Position at, long bytes) {

    /**
     * The block of these records, consecutive and (as {@link #insertBlocks} splits them) all of one kind:
     * pointing at their lines when asked and the records have places, else holding them.
     */
    static Block of(List<AuditRecord> records, boolean pointAtFiles) {
      boolean point = pointAtFiles && records.getFirst().at() != null;
      Set<String> members = new LinkedHashSet<>();
      Set<String> services = new LinkedHashSet<>();
      Set<String> tags = new LinkedHashSet<>();
      long timeMin = Long.MAX_VALUE;
      long timeMax = Long.MIN_VALUE;
      int chars = 0;
      for (AuditRecord r : records) {
        chars += point ? 0 : r.line().length() + 1;
      }
      StringBuilder lines = point ? null : new StringBuilder(chars);
      for (AuditRecord r : records) {
        AuditEvent e = r.event();
        long t = e.time().toEpochMilli();
        timeMin = Math.min(timeMin, t);
        timeMax = Math.max(timeMax, t);
        String member = e.principal() == null ? null : e.principal().member();
        if (member != null) {
          members.add(member);
        }
        if (e.service() != null) {
          services.add(e.service());
        }
        tags.add(kindTag(e));
        if (e.decision() != null) {
          tags.add(decisionTag(e));
        }
        if (lines != null) {
          if (lines.length() > 0) {
            lines.append('\n');
          }
          lines.append(r.line());
        }
      }
      AuditRecord first = records.getFirst();
      AuditRecord last = records.getLast();
      long bytes = point ? last.at().offset() + last.at().length() - first.at().offset() : 0;
      return new Block(first.seq(), last.seq(), timeMin, timeMax, records.size(), spaced(members),
          spaced(services), spaced(tags), last.hash(), lines == null ? null : lines.toString(),
          point ? first.at() : null, bytes);
    }

    /**
     * A writer's whole commit window as blocks, one per part the writer cut it into as it sealed, from
     * what it gathered (its records are neither read nor parsed); null when the window is not one run
     * (then its records are stored as any others).
     */
    static List<Block> ofWindow(AuditCommit c, boolean pointAtFiles) {
      if (!c.oneRun()) {
        return null;
      }
      List<Block> blocks = new ArrayList<>(c.parts().size());
      for (AuditCommit.Part p : c.parts()) {
        blocks.add(new Block(c.seq(p.from()), c.seq(p.to() - 1), p.timeMin(), p.timeMax(), p.to() - p.from(),
            spaced(p.members()), spaced(p.services()), spaced(p.tags()), p.lastHash(),
            pointAtFiles ? null : c.lines(p.from(), p.to()), pointAtFiles ? c.position(p.from()) : null,
            pointAtFiles ? p.bytes() : 0));
      }
      return blocks;
    }

    void bind(PreparedStatement ps, String replica) throws SQLException {
      ps.setString(1, replica);
      ps.setLong(2, firstSeq);
      ps.setLong(3, lastSeq);
      ps.setLong(4, timeMin);
      ps.setLong(5, timeMax);
      ps.setInt(6, records);
      ps.setString(7, members);
      ps.setString(8, services);
      ps.setString(9, tags);
      ps.setString(10, lastHash);
      ps.setString(11, lines);
      if (at != null) {
        ps.setLong(12, at.segment());
        ps.setLong(13, at.offset());
        ps.setLong(14, bytes);
      } else {
        ps.setNull(12, java.sql.Types.BIGINT);
        ps.setNull(13, java.sql.Types.BIGINT);
        ps.setNull(14, java.sql.Types.BIGINT);
      }
    }
  }

  static String kindTag(AuditEvent e) {
    return e.kind() == AuditEvent.Kind.DECISION ? "decision" : "admin";
  }

  static String decisionTag(AuditEvent e) {
    return switch (e.decision()) { // constants: this runs for every stored event
      case ALLOW -> "allow";
      case DENY -> "deny";
      case ERROR -> "error";
    };
  }

  /** Names between single spaces, " a b ", so that LIKE '% a %' finds a whole name; " " when none. */
  private static String spaced(Set<String> names) {
    StringBuilder sb = new StringBuilder(" ");
    for (String n : names) {
      sb.append(n).append(' ');
    }
    return sb.toString();
  }

  /** The lines a block holds. */
  private static String[] lines(String block) {
    return block.split("\n", -1);
  }

  /** A block whose lines are in a file that cannot be read (deleted, cut short, unreadable). */
  public static final class UnreadableBlock extends RuntimeException {
    UnreadableBlock(String message) {
      super(message);
    }
  }

  /**
   * The lines of the block in the current row of rs, whose lines, segment, byte_offset and byte_length
   * columns start at column {@code col}: from the row itself, or from the replica's segment file it
   * points at.
   */
  private List<String> lines(ResultSet rs, int col, String replica) throws SQLException {
    String held = rs.getString(col);
    if (held != null) {
      return List.of(lines(held));
    }
    return List.of(read(auditDir, replica, rs.getLong(col + 1), rs.getLong(col + 2), rs.getLong(col + 3)));
  }

  private static String[] read(Path auditDir, String replica, long segment, long offset, long length) {
    if (auditDir == null) {
      throw new UnreadableBlock("its lines are in the audit files of replica " + replica
          + ", which this reader was not given");
    }
    Path file = AuditFiles.segment(auditDir, replica, segment);
    if (length <= 0 || length > Integer.MAX_VALUE || offset < 0) {
      throw new UnreadableBlock("its place in " + file + " is not a valid one");
    }
    byte[] bytes = new byte[(int) length];
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        if (ch.read(buf, offset + buf.position()) < 0) {
          throw new UnreadableBlock(file + " ends before the block's lines do: the file was cut short");
        }
      }
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UnreadableBlock(file + " is missing");
    } catch (IOException e) {
      throw new UnreadableBlock("cannot read " + file + ": " + e.getMessage());
    }
    if (bytes[bytes.length - 1] != '\n' || (offset > 0 && !startsLine(file, offset))) {
      throw new UnreadableBlock("the block's bytes in " + file + " are not whole lines: the file was changed");
    }
    return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8).split("\n", -1);
  }

  /** Whether the byte before offset in the file is a newline. */
  private static boolean startsLine(Path file, long offset) {
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
      java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
      return ch.read(one, offset - 1) == 1 && one.get(0) == '\n';
    } catch (IOException e) {
      return false;
    }
  }

  /** The block's records, each with its place in the files when the block points at them. */
  private List<AuditRecord> records(ResultSet rs, int col, String replica) throws SQLException {
    List<String> lines = lines(rs, col, replica);
    boolean placed = rs.getString(col) == null;
    long segment = placed ? rs.getLong(col + 1) : 0;
    long offset = placed ? rs.getLong(col + 2) : 0;
    List<AuditRecord> out = new ArrayList<>(lines.size());
    for (String line : lines) {
      AuditRecord r = AuditRecord.read(line);
      int length = line.getBytes(StandardCharsets.UTF_8).length + 1;
      out.add(placed ? r.at(new AuditRecord.Position(segment, offset, length)) : r);
      offset += length;
    }
    return out;
  }

  /**
   * What {@link dev.portcullis.store.StoreTransfer#export} needs to write audit blocks that hold their
   * lines: a row that points at this replica's files gets them read in (and its place cleared), since
   * the store it goes to may be another machine's.
   */
  public static Map<String, java.util.function.UnaryOperator<io.vertx.core.json.JsonObject>> exportWithLines(
      Path auditDir) {
    return Map.of("audit_blocks", row -> {
      if (row.getValue("lines") != null) {
        return row;
      }
      String[] lines = read(auditDir, row.getString("replica"), ((Number) row.getValue("segment")).longValue(),
          ((Number) row.getValue("byte_offset")).longValue(), ((Number) row.getValue("byte_length")).longValue());
      return row.copy().put("lines", String.join("\n", lines)).putNull("segment").putNull("byte_offset")
          .putNull("byte_length");
    });
  }


  /** The highest seq stored for the replica, 0 when none. */
  public long lastSeq(String replica) {
    return db.inTransaction(c -> lastSeq(c, replica));
  }

  private static long lastSeq(Connection c, String replica) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT MAX(last_seq) FROM audit_blocks WHERE replica = ?")) {
      ps.setString(1, replica);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    }
  }

  /** The last stored record of the replica as an anchor (for checking a file's tail), or null. */
  public ChainVerifier.Anchor last(String replica) {
    return db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT last_seq, last_hash FROM audit_blocks WHERE replica = ? ORDER BY last_seq DESC LIMIT 1")) {
        ps.setString(1, replica);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? new ChainVerifier.Anchor(rs.getLong(1), rs.getString(2)) : null;
        }
      }
    });
  }

  /**
   * Copies into the store every record of the replica's files past the last stored seq: what a crash
   * committed to the file but did not get into the store. Returns how many records were added. A torn
   * last line is skipped (the log cuts it off when it opens).
   */
  public long replay(Path auditDir, String replica) throws IOException {
    return replay(auditDir, replica, Long.MAX_VALUE);
  }

  /**
   * As {@link #replay(Path, String)}, up to seq {@code upTo}: while the replica runs, its file may already
   * hold lines past its last commit, which are not yet durable.
   */
  public long replay(Path auditDir, String replica, long upTo) throws IOException {
    long after = lastSeq(replica);
    long[] added = {0};
    readFiles(auditDir, replica, after, upTo, batch -> added[0] += insert(replica, batch));
    return added[0];
  }

  /**
   * Reads the records of the replica's segment files whose seq is past {@code after} and at most
   * {@code upTo}, in file order, and hands them on in batches of at most {@link #BLOCK_RECORDS} (each a
   * list of its own), with their places in the files. Damaged lines are skipped (verify reports them),
   * and so is a torn last line, which has no newline.
   */
  static void readFiles(Path auditDir, String replica, long after, long upTo,
      java.util.function.Consumer<List<AuditRecord>> batches) throws IOException {
    List<AuditRecord> batch = new ArrayList<>();
    List<Path> segments = AuditFiles.segments(auditDir, replica);
    for (int i = 0; i < segments.size(); i++) {
      Path segment = segments.get(i);
      long first = AuditFiles.firstSeq(segment);
      if (first > upTo) {
        break;
      }
      if (i + 1 < segments.size() && AuditFiles.firstSeq(segments.get(i + 1)) <= after + 1) {
        continue; // the next segment starts at or before the first record wanted: none is in this one
      }
      byte[] bytes = Files.readAllBytes(segment);
      int start = 0;
      for (int end = 0; end < bytes.length; end++) {
        if (bytes[end] != '\n') {
          continue;
        }
        String line = new String(bytes, start, end - start, StandardCharsets.UTF_8);
        AuditRecord.Position at = new AuditRecord.Position(first, start, end + 1 - start);
        start = end + 1;
        AuditRecord r;
        try {
          r = AuditRecord.read(line).at(at);
        } catch (AuditRecord.MalformedRecordException e) {
          continue;
        }
        if (r.seq() > after && r.seq() <= upTo) {
          batch.add(r);
          if (batch.size() == BLOCK_RECORDS) {
            batches.accept(batch);
            batch = new ArrayList<>();
          }
        }
      }
    }
    if (!batch.isEmpty()) {
      batches.accept(batch);
    }
  }

  /** The anchor a replica's stored chain starts from: where retention left it, or the start. */
  public ChainVerifier.Anchor anchor(String replica) {
    return db.inTransaction(c -> anchor(c, replica));
  }

  private static ChainVerifier.Anchor anchor(Connection c, String replica) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM audit_anchors WHERE replica = ?")) {
      ps.setString(1, replica);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new ChainVerifier.Anchor(rs.getLong(1), rs.getString(2)) : ChainVerifier.Anchor.START;
      }
    }
  }

  /** Replicas with records or anchors in the store. */
  public List<String> replicas() {
    return db.inTransaction(c -> {
      List<String> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT replica FROM audit_blocks UNION SELECT replica FROM audit_anchors ORDER BY replica");
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    });
  }

  /**
   * Verifies the stored chain of one replica, in seq order, from its anchor, reading the blocks one at a
   * time. Each block's own columns are checked against its lines too (seq range, count, last hash, and
   * that every member, service, kind and decision of its records is listed), since a query trusts them
   * to skip blocks: a block whose columns were edited to hide a record is reported as edited.
   */
  public ChainVerifier.Result verify(String replica) {
    return db.inTransaction(c -> {
      ChainVerifier.Anchor start = anchor(c, replica);
      try (PreparedStatement ps = c.prepareStatement("SELECT first_seq, last_seq, records, members, services, tags,"
          + " last_hash, " + WHERE_LINES_ARE + " FROM audit_blocks WHERE replica = ? ORDER BY first_seq")) {
        ps.setString(1, replica);
        ps.setFetchSize(16);
        try (ResultSet rs = ps.executeQuery()) {
          BlockLines lines = new BlockLines(rs, replica);
          ChainVerifier.Result chain;
          try {
            chain = ChainVerifier.verify(lines, start, null);
          } catch (UnreadableBlock e) {
            return ChainVerifier.Result.bad(lines.records, null, ChainVerifier.Problem.REMOVED, lines.firstSeq,
                "records " + lines.firstSeq + " to " + lines.lastSeq + " cannot be read: " + e.getMessage());
          }
          // The chain names the record when a record itself was touched; a block's columns are looked at
          // only when the records are intact.
          return chain.ok() && lines.indexProblem != null ? lines.indexProblem : chain;
        }
      }
    });
  }

  /** The lines of the blocks a result set holds, in order, checking each block's columns on the way. */
  private final class BlockLines implements java.util.Iterator<String> {
    private final ResultSet rs;
    private final String replica;
    private String[] current = new String[0];
    private int next;
    private boolean done;
    long records;
    long firstSeq;
    long lastSeq;
    ChainVerifier.Result indexProblem;

    BlockLines(ResultSet rs, String replica) {
      this.rs = rs;
      this.replica = replica;
    }

    @Override
    public boolean hasNext() {
      while (next == current.length && !done) {
        try {
          if (rs.next()) {
            firstSeq = rs.getLong(1);
            lastSeq = rs.getLong(2);
            current = lines(rs, 8, replica).toArray(String[]::new);
            next = 0;
            if (indexProblem == null) {
              indexProblem = check(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getString(4), rs.getString(5),
                  rs.getString(6), rs.getString(7), current);
            }
          } else {
            done = true;
          }
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      }
      return next < current.length;
    }

    @Override
    public String next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      return current[next++];
    }

    /** Null when the block's columns agree with its lines (or the lines are damaged: the chain says how). */
    private ChainVerifier.Result check(long firstSeq, long lastSeq, int count, String members, String services,
        String tags, String lastHash, String[] blockLines) {
      long before = records;
      records += blockLines.length;
      List<AuditRecord> rs = new ArrayList<>(blockLines.length);
      for (String line : blockLines) {
        try {
          rs.add(AuditRecord.read(line));
        } catch (AuditRecord.MalformedRecordException e) {
          return null;
        }
      }
      if (rs.getFirst().seq() != firstSeq || rs.getLast().seq() != lastSeq || rs.size() != count
          || !rs.getLast().hash().equals(lastHash)) {
        return ChainVerifier.Result.bad(before, null, ChainVerifier.Problem.EDITED, firstSeq, "the block of records "
            + firstSeq + " to " + lastSeq + " was edited: its columns no longer match its records");
      }
      for (AuditRecord r : rs) {
        AuditEvent e = r.event();
        String member = e.principal() == null ? null : e.principal().member();
        if ((member != null && !members.contains(" " + member + " "))
            || (e.service() != null && !services.contains(" " + e.service() + " "))
            || !tags.contains(" " + kindTag(e) + " ")
            || (e.decision() != null && !tags.contains(" " + decisionTag(e) + " "))) {
          return ChainVerifier.Result.bad(records, null, ChainVerifier.Problem.EDITED, r.seq(),
              "the block of records " + firstSeq + " to " + lastSeq + " was edited: its columns hide record "
                  + r.seq());
        }
      }
      return null;
    }
  }

  /**
   * Retention: for each replica, deletes the oldest records up to the last one older than the cutoff
   * (a prefix of the chain, so the rest stays contiguous) and moves the replica's anchor to the last
   * deleted record, so what remains verifies. A block that holds both is cut where the prefix ends.
   * Returns records deleted per replica.
   */
  public Map<String, Long> purgeBefore(Instant cutoff) {
    long cut = cutoff.toEpochMilli();
    return db.inTransaction(c -> {
      // The last record older than the cutoff, per replica: the end of a block that is all older, or a
      // record inside a block that straddles the cutoff.
      Map<String, ChainVerifier.Anchor> upTo = new TreeMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT b.replica, b.last_seq, b.last_hash FROM audit_blocks b"
          + " WHERE b.last_seq = (SELECT MAX(o.last_seq) FROM audit_blocks o WHERE o.replica = b.replica"
          + " AND o.time_max < ?)")) {
        ps.setLong(1, cut);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            upTo.put(rs.getString(1), new ChainVerifier.Anchor(rs.getLong(2), rs.getString(3)));
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT replica, " + WHERE_LINES_ARE
          + " FROM audit_blocks WHERE time_min < ? AND time_max >= ?")) {
        ps.setLong(1, cut);
        ps.setLong(2, cut);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            List<AuditRecord> records;
            try {
              records = records(rs, 2, rs.getString(1));
            } catch (UnreadableBlock | AuditRecord.MalformedRecordException e) {
              // Left whole (it is not all older than the cutoff); verify reports it.
              log.warn("audit retention: cannot read a block of replica {}: {}", rs.getString(1), e.getMessage());
              continue;
            }
            for (AuditRecord r : records) {
              ChainVerifier.Anchor known = upTo.get(rs.getString(1));
              if (r.event().time().toEpochMilli() < cut && (known == null || r.seq() > known.seq())) {
                upTo.put(rs.getString(1), new ChainVerifier.Anchor(r.seq(), r.hash()));
              }
            }
          }
        }
      }
      Map<String, Long> deleted = new TreeMap<>();
      for (Map.Entry<String, ChainVerifier.Anchor> e : upTo.entrySet()) {
        String replica = e.getKey();
        long end = e.getValue().seq();
        long n = 0;
        // The block the prefix ends inside, if any, is stored again with only its later records.
        List<AuditRecord> kept = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + WHERE_LINES_ARE + " FROM audit_blocks"
            + " WHERE replica = ? AND first_seq <= ? AND last_seq > ?")) {
          ps.setString(1, replica);
          ps.setLong(2, end);
          ps.setLong(3, end);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              for (AuditRecord r : records(rs, 1, replica)) {
                if (r.seq() > end) {
                  kept.add(r);
                } else {
                  n++;
                }
              }
            }
          }
        }
        try (PreparedStatement count = c.prepareStatement(
                 "SELECT COALESCE(SUM(records), 0) FROM audit_blocks WHERE replica = ? AND last_seq <= ?");
             PreparedStatement purge = c.prepareStatement(
                 "DELETE FROM audit_blocks WHERE replica = ? AND first_seq <= ?");
             PreparedStatement del = c.prepareStatement("DELETE FROM audit_anchors WHERE replica = ?");
             PreparedStatement ins = c.prepareStatement(
                 "INSERT INTO audit_anchors(replica, seq, hash) VALUES (?, ?, ?)")) {
          count.setString(1, replica);
          count.setLong(2, end);
          try (ResultSet rs = count.executeQuery()) {
            rs.next();
            n += rs.getLong(1);
          }
          purge.setString(1, replica);
          purge.setLong(2, end);
          purge.executeUpdate();
          del.setString(1, replica);
          del.executeUpdate();
          ins.setString(1, replica);
          ins.setLong(2, end);
          ins.setString(3, e.getValue().hash());
          ins.executeUpdate();
        }
        if (!kept.isEmpty()) {
          try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            insertBlocks(ps, replica, kept);
          }
        }
        deleted.put(replica, n);
      }
      return deleted;
    });
  }

  /**
   * A query; null fields do not filter. Without {@code after}, the newest matching events come first; with
   * it, only events stored after that cursor, in each replica's chain order (to follow the log).
   */
  public record Filter(String member, String service, String decision, String kind, Instant since,
      Instant until, int limit, Cursor after) {
    public Filter(String member, String service, String decision, String kind, Instant since, Instant until,
        int limit) {
      this(member, service, decision, kind, since, until, limit, null);
    }
  }

  /**
   * How far a reader has followed each replica's chain: the last seq seen per replica. Each replica's
   * records reach the store in seq order, whatever their times, so following by seq misses nothing that
   * arrives late (a slow copy, another replica, a replay). Written {@code REPLICA:SEQ,REPLICA:SEQ}.
   */
  public record Cursor(Map<String, Long> seen) {
    public Cursor {
      seen = Map.copyOf(seen);
    }

    public String encode() {
      StringBuilder sb = new StringBuilder();
      new TreeMap<>(seen).forEach((r, q) -> sb.append(sb.length() == 0 ? "" : ",").append(r).append(':').append(q));
      return sb.toString();
    }

    /** The cursor a string names; empty when it is not one this store wrote. */
    public static java.util.Optional<Cursor> parse(String text) {
      if (text == null) {
        return java.util.Optional.empty();
      }
      Map<String, Long> out = new TreeMap<>();
      if (!text.isEmpty()) {
        for (String part : text.split(",", -1)) {
          int colon = part.indexOf(':');
          if (colon <= 0 || !part.substring(0, colon).matches("[A-Za-z0-9_.-]{1,64}")
              || !part.substring(colon + 1).matches("\\d{1,18}")) {
            return java.util.Optional.empty();
          }
          out.put(part.substring(0, colon), Long.parseLong(part.substring(colon + 1)));
        }
      }
      return java.util.Optional.of(new Cursor(out));
    }

    Cursor plus(Map<String, Long> more) {
      Map<String, Long> merged = new TreeMap<>(seen);
      more.forEach((r, q) -> merged.merge(r, q, Math::max));
      return new Cursor(merged);
    }
  }

  /** One stored event: the replica whose chain holds it and the sealed record. */
  public record Stored(String replica, long timeMillis, AuditRecord record) {}

  /** A page of events and the cursor to follow on from it. */
  public record Page(List<Stored> events, Cursor cursor) {}

  /** Matching events, newest first (in chain order after a cursor), as their stored JSON lines. */
  public List<AuditRecord> query(Filter f) {
    return find(f).events().stream().map(Stored::record).toList();
  }

  /** As {@link #query}, with each event's replica, and the cursor that follows on from this page. */
  public Page find(Filter f) {
    Runnable r = beforeRead;
    if (r != null) {
      r.run();
    }
    StringBuilder sql = new StringBuilder(
        "SELECT replica, first_seq, last_seq, time_max, " + WHERE_LINES_ARE + " FROM audit_blocks WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    if (f.member() != null) {
      sql.append(" AND members LIKE ? ESCAPE '!'");
      args.add(containing(f.member()));
    }
    if (f.service() != null) {
      sql.append(" AND services LIKE ? ESCAPE '!'");
      args.add(containing(f.service()));
    }
    if (f.decision() != null) {
      sql.append(" AND tags LIKE ? ESCAPE '!'");
      args.add(containing(f.decision()));
    }
    if (f.kind() != null) {
      sql.append(" AND tags LIKE ? ESCAPE '!'");
      args.add(containing(f.kind()));
    }
    if (f.since() != null) {
      sql.append(" AND time_max >= ?");
      args.add(f.since().toEpochMilli());
    }
    if (f.until() != null) {
      sql.append(" AND time_min < ?");
      args.add(f.until().toEpochMilli());
    }
    Cursor after = f.after();
    if (after != null) {
      sql.append(" AND (");
      for (Map.Entry<String, Long> e : after.seen().entrySet()) {
        sql.append("(replica = ? AND last_seq > ?) OR ");
        args.add(e.getKey());
        args.add(e.getValue());
      }
      if (after.seen().isEmpty()) {
        sql.append("1 = 1");
      } else {
        sql.append("replica NOT IN (").append("?, ".repeat(after.seen().size() - 1)).append("?)");
        args.addAll(after.seen().keySet());
      }
      sql.append(") ORDER BY replica, first_seq");
    } else {
      sql.append(" ORDER BY time_max DESC, replica DESC, first_seq DESC");
    }
    int limit = f.limit() > 0 ? f.limit() : 100;
    LineFilter match = new LineFilter(f);
    return db.inTransaction(c -> {
      List<Stored> out = new ArrayList<>();
      Map<String, Long> returned = new TreeMap<>();
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < args.size(); i++) {
          ps.setObject(i + 1, args.get(i));
        }
        ps.setFetchSize(16);
        try (ResultSet rs = ps.executeQuery()) {
          if (after != null) {
            // Following: each replica's chain in seq order, the first `limit` matches past the cursor.
            while (out.size() < limit && rs.next()) {
              String replica = rs.getString(1);
              long seen = after.seen().getOrDefault(replica, 0L);
              for (String line : readable(rs, replica)) {
                Stored s = match.apply(replica, line, seen);
                if (s != null) {
                  out.add(s);
                  returned.merge(replica, s.record().seq(), Math::max);
                  if (out.size() == limit) {
                    break;
                  }
                }
              }
            }
          } else {
            // Newest first: blocks come by their newest time, so once `limit` matches are newer than the
            // next block's newest record, no later block can change the page.
            while (rs.next()) {
              if (out.size() >= limit && rs.getLong(4) < out.get(limit - 1).timeMillis()) {
                break;
              }
              String replica = rs.getString(1);
              for (String line : readable(rs, replica)) {
                Stored s = match.apply(replica, line, 0);
                if (s != null) {
                  out.add(s);
                }
              }
              if (out.size() >= limit) {
                out.sort(NEWEST_FIRST);
                out.subList(limit, out.size()).clear();
              }
            }
            out.sort(NEWEST_FIRST);
          }
        }
      }
      Cursor base = after == null ? new Cursor(Map.of()) : after;
      // A whole page was not needed, or this is the first look: the reader has seen everything up to each
      // replica's end (read in this same transaction, so nothing slips between).
      Cursor next = after == null || out.size() < limit ? base.plus(ends(c)) : base.plus(returned);
      return new Page(out, next);
    });
  }

  /** A found block's lines; none, with a warning, when they cannot be read (verify says why). */
  private List<String> readable(ResultSet rs, String replica) throws SQLException {
    try {
      return lines(rs, 5, replica);
    } catch (UnreadableBlock e) {
      log.warn("audit: records {} to {} of replica {} are left out of a query: {}", rs.getLong(2), rs.getLong(3),
          replica, e.getMessage());
      return List.of();
    }
  }

  private static final java.util.Comparator<Stored> NEWEST_FIRST = java.util.Comparator
      .comparingLong(Stored::timeMillis).thenComparing(Stored::replica).thenComparingLong(s -> s.record().seq())
      .reversed();

  /** A LIKE pattern for a whole name in a spaced list, with the pattern characters escaped by '!'. */
  private static String containing(String name) {
    return "% " + name.replace("!", "!!").replace("%", "!%").replace("_", "!_") + " %";
  }

  /**
   * The exact test of one line against a filter. A cheap look at the raw line first skips most lines
   * that cannot match without decoding them (the writer puts every value as {@code "name":"value"}).
   */
  private static final class LineFilter {
    private final Filter f;
    private final String[] needles;

    LineFilter(Filter f) {
      this.f = f;
      List<String> n = new ArrayList<>();
      if (f.service() != null) {
        n.add(quoted("service", f.service()));
      }
      if (f.decision() != null) {
        n.add(quoted("decision", f.decision()));
      }
      if (f.kind() != null) {
        n.add(quoted("kind", f.kind()));
      }
      this.needles = n.toArray(String[]::new);
    }

    private static String quoted(String name, String value) {
      return new Json().raw('"').ascii(name).ascii("\":").string(value).toString();
    }

    /** The stored event when the line matches and comes after seq {@code seen}, else null. */
    Stored apply(String replica, String line, long seen) {
      for (String needle : needles) {
        if (!line.contains(needle)) {
          return null;
        }
      }
      AuditRecord r;
      try {
        r = AuditRecord.read(line);
      } catch (AuditRecord.MalformedRecordException e) {
        return null; // a damaged line is not an event; verify names it
      }
      if (r.seq() <= seen) {
        return null;
      }
      AuditEvent e = r.event();
      long t = e.time().toEpochMilli();
      String member = e.principal() == null ? null : e.principal().member();
      if ((f.member() != null && !f.member().equals(member))
          || (f.service() != null && !f.service().equals(e.service()))
          || (f.decision() != null && (e.decision() == null || !f.decision().equals(decisionTag(e))))
          || (f.kind() != null && !f.kind().equals(kindTag(e)))
          || (f.since() != null && t < f.since().toEpochMilli())
          || (f.until() != null && t >= f.until().toEpochMilli())) {
        return null;
      }
      return new Stored(replica, t, r);
    }
  }

  /** The last stored seq of every replica. */
  private static Map<String, Long> ends(Connection c) throws SQLException {
    Map<String, Long> out = new TreeMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT replica, MAX(last_seq) FROM audit_blocks GROUP BY replica");
         ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
    }
    return out;
  }
}
