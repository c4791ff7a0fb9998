package dev.portcullis.store;

import dev.portcullis.authn.Identity;
import dev.portcullis.session.Session;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Sessions in the store, by the hash of their cookie value. */
public final class SessionRepository {
  private static final String COLUMNS = "id_hash, public_id, parent_hash, host, user_id, subject, email, provider, "
      + "id_token, auth_time, create_time, expire_time, last_seen, revoked, client_ip, user_agent, hosted_domain";

  private final Database db;

  public SessionRepository(Database db) {
    this.db = db;
  }

  public void insert(Session s) {
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO sessions(" + COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        bind(ps, s);
        ps.executeUpdate();
      }
      return null;
    });
  }

  /**
   * Inserts a host session only while its parent (central) session is live at {@code now}: one statement,
   * so a revocation is either seen here or covers the new row. Returns false when nothing was inserted.
   * (SQLite has a single writer; on PostgreSQL the transaction is SERIALIZABLE, so an insert racing a
   * revocation of the parent is aborted and run again, and then sees the revocation.)
   */
  public boolean insertUnderLiveParent(Session s, Instant now) {
    return db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO sessions(" + COLUMNS
          + ") SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM sessions "
          + "WHERE id_hash = ? AND parent_hash IS NULL AND revoked = ? AND expire_time > ?)")) {
        bind(ps, s);
        ps.setString(18, s.parentHash());
        ps.setBoolean(19, false);
        ps.setLong(20, now.toEpochMilli());
        return ps.executeUpdate() == 1;
      }
    });
  }

  private static void bind(PreparedStatement ps, Session s) throws SQLException {
    ps.setString(1, s.idHash());
    ps.setString(2, s.publicId());
    ps.setString(3, s.parentHash());
    ps.setString(4, s.host());
    ps.setString(5, s.identity().userId());
    ps.setString(6, s.identity().subject());
    ps.setString(7, s.identity().email());
    ps.setString(8, s.identity().provider());
    ps.setString(9, s.idToken());
    ps.setLong(10, s.authTime().toEpochMilli());
    ps.setLong(11, s.createTime().toEpochMilli());
    ps.setLong(12, s.expireTime().toEpochMilli());
    ps.setLong(13, s.lastSeen().toEpochMilli());
    ps.setBoolean(14, s.revoked());
    ps.setString(15, s.clientIp());
    ps.setString(16, s.userAgent());
    ps.setString(17, s.identity().hostedDomain().orElse(null));
  }

  public Optional<Session> find(String idHash) {
    return db.inTransaction(c -> one(c, "id_hash", idHash));
  }

  public Optional<Session> findByPublicId(String publicId) {
    return db.inTransaction(c -> one(c, "public_id", publicId));
  }

  /** Live (not revoked, not expired) sessions, newest first; all users when userId is empty. */
  public List<Session> listLive(Optional<String> email, Instant now) {
    return db.inTransaction(c -> {
      String sql = "SELECT " + COLUMNS + " FROM sessions WHERE revoked = ? AND expire_time > ?"
          + (email.isPresent() ? " AND email = ?" : "") + " ORDER BY create_time DESC";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setBoolean(1, false);
        ps.setLong(2, now.toEpochMilli());
        if (email.isPresent()) {
          ps.setString(3, email.get());
        }
        try (ResultSet rs = ps.executeQuery()) {
          List<Session> out = new ArrayList<>();
          while (rs.next()) {
            out.add(read(rs));
          }
          return out;
        }
      }
    });
  }

  /** Which of these sessions (by id hash) are stored and not revoked; one query per 500 of them. */
  public java.util.Set<String> notRevokedAmong(java.util.Collection<String> idHashes) {
    List<String> all = List.copyOf(idHashes);
    java.util.Set<String> found = new java.util.HashSet<>();
    for (int from = 0; from < all.size(); from += 500) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + 500));
      db.inTransaction(c -> {
        String sql = "SELECT id_hash FROM sessions WHERE revoked = ? AND id_hash IN ("
            + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ")";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          ps.setBoolean(1, false);
          for (int i = 0; i < chunk.size(); i++) {
            ps.setString(i + 2, chunk.get(i));
          }
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              found.add(rs.getString(1));
            }
          }
        }
        return null;
      });
    }
    return found;
  }

  /** Revokes the session and, for a central one, every host session under it. Returns all hashes revoked. */
  public List<String> revokeFamily(String centralHash) {
    return db.inTransaction(c -> {
      List<String> hashes = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id_hash FROM sessions WHERE (id_hash = ? OR parent_hash = ?) AND revoked = ?")) {
        ps.setString(1, centralHash);
        ps.setString(2, centralHash);
        ps.setBoolean(3, false);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            hashes.add(rs.getString(1));
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE sessions SET revoked = ? WHERE id_hash = ? OR parent_hash = ?")) {
        ps.setBoolean(1, true);
        ps.setString(2, centralHash);
        ps.setString(3, centralHash);
        ps.executeUpdate();
      }
      return hashes;
    });
  }

  /** Revokes every session of a user; returns the hashes revoked. */
  public List<String> revokeUser(String userId) {
    return db.inTransaction(c -> {
      List<String> hashes = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id_hash FROM sessions WHERE user_id = ? AND revoked = ?")) {
        ps.setString(1, userId);
        ps.setBoolean(2, false);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            hashes.add(rs.getString(1));
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET revoked = ? WHERE user_id = ?")) {
        ps.setBoolean(1, true);
        ps.setString(2, userId);
        ps.executeUpdate();
      }
      return hashes;
    });
  }

  public void touch(String idHash, Instant lastSeen) {
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET last_seen = ? WHERE id_hash = ? AND last_seen < ?")) {
        ps.setLong(1, lastSeen.toEpochMilli());
        ps.setString(2, idHash);
        ps.setLong(3, lastSeen.toEpochMilli());
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** Drops sessions that ended before the cutoff, and spent sign-in state. */
  public int purge(Instant cutoff) {
    return db.inTransaction(c -> {
      int n = 0;
      for (String sql : List.of("DELETE FROM sessions WHERE expire_time < ?",
          "DELETE FROM handoff_codes WHERE expire_time < ?", "DELETE FROM login_states WHERE expire_time < ?")) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          ps.setLong(1, cutoff.toEpochMilli());
          n += ps.executeUpdate();
        }
      }
      return n;
    });
  }

  private static Optional<Session> one(Connection c, String column, String value) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM sessions WHERE " + column + " = ?")) {
      ps.setString(1, value);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  private static Session read(ResultSet rs) throws SQLException {
    return new Session(
        rs.getString("id_hash"),
        rs.getString("public_id"),
        rs.getString("parent_hash"),
        rs.getString("host"),
        new Identity(rs.getString("user_id"), rs.getString("subject"), rs.getString("email"), rs.getString("provider"),
            Optional.ofNullable(rs.getString("hosted_domain"))),
        rs.getString("id_token"),
        Instant.ofEpochMilli(rs.getLong("auth_time")),
        Instant.ofEpochMilli(rs.getLong("create_time")),
        Instant.ofEpochMilli(rs.getLong("expire_time")),
        Instant.ofEpochMilli(rs.getLong("last_seen")),
        rs.getBoolean("revoked"),
        rs.getString("client_ip"),
        rs.getString("user_agent"));
  }
}
