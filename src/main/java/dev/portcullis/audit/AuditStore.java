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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The queryable copy of the audit chains in {@code audit_events}. Rows are only ever inserted from
 * records a file has committed, idempotently by (replica, seq), so replaying a file twice, or a record
 * arriving both live and by replay, leaves one row.
 */
public final class AuditStore {
  private static final String INSERT =
      "INSERT INTO audit_events(replica, seq, time, kind, request_id, member, service, decision, action, json,"
          + " prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (replica, seq) DO NOTHING";

  private final Database db;

  public AuditStore(Database db) {
    this.db = db;
  }

  /** Inserts the records (those already stored are left alone); returns how many were new. */
  public int insert(String replica, List<AuditRecord> records) {
    if (records.isEmpty()) {
      return 0;
    }
    return db.inTransaction(c -> {
      int added = 0;
      try (PreparedStatement ps = c.prepareStatement(INSERT)) {
        for (AuditRecord r : records) {
          AuditEvent e = r.event();
          ps.setString(1, replica);
          ps.setLong(2, r.seq());
          ps.setLong(3, e.time().toEpochMilli());
          ps.setString(4, e.kind().name().toLowerCase(java.util.Locale.ROOT));
          ps.setString(5, e.requestId());
          ps.setString(6, e.principal() == null ? null : e.principal().member());
          ps.setString(7, e.service());
          ps.setString(8, e.decision() == null ? null : e.decision().name().toLowerCase(java.util.Locale.ROOT));
          ps.setString(9, e.action());
          ps.setString(10, r.line());
          ps.setString(11, r.prev());
          ps.setString(12, r.hash());
          added += ps.executeUpdate();
        }
      }
      return added;
    });
  }

  /** The highest seq stored for the replica, 0 when none. */
  public long lastSeq(String replica) {
    return db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT MAX(seq) FROM audit_events WHERE replica = ?")) {
        ps.setString(1, replica);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? rs.getLong(1) : 0L;
        }
      }
    });
  }

  /** The last stored record of the replica as an anchor (for checking a file's tail), or null. */
  public ChainVerifier.Anchor last(String replica) {
    return db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT seq, hash FROM audit_events WHERE replica = ? ORDER BY seq DESC LIMIT 1")) {
        ps.setString(1, replica);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? new ChainVerifier.Anchor(rs.getLong(1), rs.getString(2)) : null;
        }
      }
    });
  }

  /**
   * Copies into the store every record of the replica's files past the last stored seq: what a crash
   * committed to the file but did not get into the store. Returns how many rows were added. A torn
   * last line is skipped (the log cuts it off when it opens).
   */
  public long replay(Path auditDir, String replica) throws IOException {
    long after = lastSeq(replica);
    long added = 0;
    List<AuditRecord> batch = new ArrayList<>();
    for (Path segment : AuditFiles.segments(auditDir, replica)) {
      String text = Files.readString(segment, StandardCharsets.UTF_8);
      for (String line : (Iterable<String>) text.lines()::iterator) {
        AuditRecord r;
        try {
          r = AuditRecord.parse(line);
        } catch (AuditRecord.MalformedRecordException e) {
          continue; // a torn or damaged line; verify reports it
        }
        if (r.seq() > after) {
          batch.add(r);
          if (batch.size() == 1000) {
            added += insert(replica, batch);
            batch.clear();
          }
        }
      }
    }
    added += insert(replica, batch);
    return added;
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

  /** Replicas with rows or anchors in the store. */
  public List<String> replicas() {
    return db.inTransaction(c -> {
      List<String> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT replica FROM audit_events UNION SELECT replica FROM audit_anchors ORDER BY replica");
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    });
  }

  /** Verifies the stored chain of one replica, in seq order, from its anchor. */
  public ChainVerifier.Result verify(String replica) {
    return db.inTransaction(c -> {
      ChainVerifier.Anchor start = anchor(c, replica);
      List<String> lines = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT json FROM audit_events WHERE replica = ? ORDER BY seq")) {
        ps.setString(1, replica);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            lines.add(rs.getString(1));
          }
        }
      }
      return ChainVerifier.verify(lines.iterator(), start, null);
    });
  }

  /**
   * Retention: for each replica, deletes the oldest records up to the last one older than the cutoff
   * (a prefix of the chain, so the rest stays contiguous) and moves the replica's anchor to the last
   * deleted record, so what remains verifies. Returns rows deleted per replica.
   */
  public Map<String, Long> purgeBefore(Instant cutoff) {
    return db.inTransaction(c -> {
      Map<String, Long> deleted = new TreeMap<>();
      Map<String, Long> upTo = new TreeMap<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT replica, MAX(seq) FROM audit_events WHERE time < ? GROUP BY replica")) {
        ps.setLong(1, cutoff.toEpochMilli());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            upTo.put(rs.getString(1), rs.getLong(2));
          }
        }
      }
      for (Map.Entry<String, Long> e : upTo.entrySet()) {
        String hash;
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT hash FROM audit_events WHERE replica = ? AND seq = ?")) {
          ps.setString(1, e.getKey());
          ps.setLong(2, e.getValue());
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            hash = rs.getString(1);
          }
        }
        try (PreparedStatement del = c.prepareStatement("DELETE FROM audit_anchors WHERE replica = ?");
             PreparedStatement ins = c.prepareStatement(
                 "INSERT INTO audit_anchors(replica, seq, hash) VALUES (?, ?, ?)");
             PreparedStatement purge = c.prepareStatement(
                 "DELETE FROM audit_events WHERE replica = ? AND seq <= ?")) {
          del.setString(1, e.getKey());
          del.executeUpdate();
          ins.setString(1, e.getKey());
          ins.setLong(2, e.getValue());
          ins.setString(3, hash);
          ins.executeUpdate();
          purge.setString(1, e.getKey());
          purge.setLong(2, e.getValue());
          deleted.put(e.getKey(), (long) purge.executeUpdate());
        }
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
    StringBuilder sql = new StringBuilder("SELECT replica, time, json, seq FROM audit_events WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    if (f.member() != null) {
      sql.append(" AND member = ?");
      args.add(f.member());
    }
    if (f.service() != null) {
      sql.append(" AND service = ?");
      args.add(f.service());
    }
    if (f.decision() != null) {
      sql.append(" AND decision = ?");
      args.add(f.decision());
    }
    if (f.kind() != null) {
      sql.append(" AND kind = ?");
      args.add(f.kind());
    }
    if (f.since() != null) {
      sql.append(" AND time >= ?");
      args.add(f.since().toEpochMilli());
    }
    if (f.until() != null) {
      sql.append(" AND time < ?");
      args.add(f.until().toEpochMilli());
    }
    Cursor after = f.after();
    if (after != null) {
      sql.append(" AND (");
      for (Map.Entry<String, Long> e : after.seen().entrySet()) {
        sql.append("(replica = ? AND seq > ?) OR ");
        args.add(e.getKey());
        args.add(e.getValue());
      }
      if (after.seen().isEmpty()) {
        sql.append("1 = 1");
      } else {
        sql.append("replica NOT IN (").append("?, ".repeat(after.seen().size() - 1)).append("?)");
        args.addAll(after.seen().keySet());
      }
      sql.append(") ORDER BY replica, seq LIMIT ?");
    } else {
      sql.append(" ORDER BY time DESC, replica DESC, seq DESC LIMIT ?");
    }
    int limit = f.limit() > 0 ? f.limit() : 100;
    args.add(limit);
    return db.inTransaction(c -> {
      List<Stored> out = new ArrayList<>();
      Map<String, Long> returned = new TreeMap<>();
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < args.size(); i++) {
          ps.setObject(i + 1, args.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Stored(rs.getString(1), rs.getLong(2), AuditRecord.parse(rs.getString(3))));
            returned.merge(rs.getString(1), rs.getLong(4), Math::max);
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

  /** The last stored seq of every replica. */
  private static Map<String, Long> ends(java.sql.Connection c) throws java.sql.SQLException {
    Map<String, Long> out = new TreeMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT replica, MAX(seq) FROM audit_events GROUP BY replica");
         ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
    }
    return out;
  }


}
