package dev.portcullis.store;

import dev.portcullis.authn.User;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Users in the store: built-in accounts and identities first seen at sign-in. */
public final class UserRepository {
  private static final String COLUMNS = "id, email, kind, provider, subject, display_name, password_hash, disabled, "
      + "failed_attempts, locked_until, version, create_time, update_time, last_sign_in";

  private final Database db;
  private final Clock clock;

  public UserRepository(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public User createLocal(String id, String email, Optional<String> displayName, String passwordHash) {
    return db.inTransaction(c -> {
      if (one(c, "email = ? AND provider = ?", email, User.LOCAL_PROVIDER).isPresent()) {
        throw new ConflictException("a built-in account for " + email + " already exists");
      }
      Instant now = clock.instant();
      User u = new User(id, email, User.Kind.LOCAL, User.LOCAL_PROVIDER, User.LOCAL_PROVIDER + ":" + id, displayName,
          Optional.of(passwordHash), false, 0, Instant.EPOCH, 1, now, now, Optional.empty());
      insert(c, u);
      return u;
    });
  }

  /** The user for this provider subject, created on first sign-in, email and name kept current. */
  public User upsertExternal(String id, String provider, String subject, String email, Optional<String> name) {
    return db.inTransaction(c -> {
      Instant now = clock.instant();
      Optional<User> existing = one(c, "provider = ? AND subject = ?", provider, subject);
      if (existing.isEmpty()) {
        User u = new User(id, email, User.Kind.EXTERNAL, provider, subject, name, Optional.empty(), false, 0,
            Instant.EPOCH, 1, now, now, Optional.of(now));
        insert(c, u);
        return u;
      }
      User u = existing.get();
      try (PreparedStatement ps = c.prepareStatement("UPDATE users SET email = ?, display_name = ?, last_sign_in = ?, "
          + "update_time = ?, version = version + 1 WHERE id = ?")) {
        ps.setString(1, email);
        ps.setString(2, name.orElse(u.displayName().orElse(null)));
        ps.setLong(3, now.toEpochMilli());
        ps.setLong(4, now.toEpochMilli());
        ps.setString(5, u.id());
        ps.executeUpdate();
      }
      return one(c, "id = ?", u.id(), null).orElseThrow();
    });
  }

  public Optional<User> findLocal(String email) {
    return db.inTransaction(c -> one(c, "email = ? AND provider = ?", email.toLowerCase(Locale.ROOT), User.LOCAL_PROVIDER));
  }

  /** Every user with this email: the built-in account and identities from each provider. */
  public List<User> findByEmail(String email) {
    return db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM users WHERE email = ? ORDER BY provider")) {
        ps.setString(1, email.toLowerCase(Locale.ROOT));
        try (ResultSet rs = ps.executeQuery()) {
          List<User> out = new ArrayList<>();
          while (rs.next()) {
            out.add(read(rs));
          }
          return out;
        }
      }
    });
  }

  public Optional<User> findById(String id) {
    return db.inTransaction(c -> one(c, "id = ?", id, null));
  }

  public List<User> list() {
    return db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM users ORDER BY email, provider");
           ResultSet rs = ps.executeQuery()) {
        List<User> out = new ArrayList<>();
        while (rs.next()) {
          out.add(read(rs));
        }
        return out;
      }
    });
  }

  public long count() {
    return db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM users"); ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  /** Who is disabled (built-in or from a provider): their ids, and their emails in lower case. */
  public record Disabled(Set<String> ids, Set<String> emails) {
    public Disabled {
      ids = Set.copyOf(ids);
      emails = Set.copyOf(emails);
    }
  }

  /** The disabled users' ids and emails, read in one query. */
  public Disabled disabled() {
    return db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT id, email FROM users WHERE disabled = ?")) {
        ps.setBoolean(1, true);
        try (ResultSet rs = ps.executeQuery()) {
          Set<String> ids = new HashSet<>();
          Set<String> emails = new HashSet<>();
          while (rs.next()) {
            ids.add(rs.getString(1));
            emails.add(rs.getString(2).toLowerCase(Locale.ROOT));
          }
          return new Disabled(ids, emails);
        }
      }
    });
  }

  public User setDisabled(String id, boolean disabled) {
    return update(id, "disabled = ?", ps -> ps.setBoolean(1, disabled));
  }

  public User setPassword(String id, String passwordHash) {
    return update(id, "password_hash = ?, failed_attempts = 0, locked_until = 0", ps -> ps.setString(1, passwordHash));
  }

  /** Counts a failed password; from {@code lockAfter} failures on, the account is locked until {@code until}. */
  /**
   * Counts a failed password; at {@code lockAfter} failures the account is locked until {@code until}.
   * Once a lock has run out, the count starts over: one mistake after a lockout does not lock again.
   */
  public void recordFailure(String id, int lockAfter, Instant until) {
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE users SET "
          + "failed_attempts = CASE WHEN locked_until > 0 AND locked_until <= ? THEN 1 ELSE failed_attempts + 1 END, "
          + "locked_until = CASE WHEN locked_until > 0 AND locked_until <= ? THEN (CASE WHEN 1 >= ? THEN ? ELSE 0 END) "
          + "WHEN failed_attempts + 1 >= ? THEN ? ELSE locked_until END WHERE id = ?")) {
        long now = clock.millis();
        ps.setLong(1, now);
        ps.setLong(2, now);
        ps.setInt(3, lockAfter);
        ps.setLong(4, until.toEpochMilli());
        ps.setInt(5, lockAfter);
        ps.setLong(6, until.toEpochMilli());
        ps.setString(7, id);
        ps.executeUpdate();
      }
      return null;
    });
  }

  public void recordSuccess(String id) {
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE users SET failed_attempts = 0, locked_until = 0, last_sign_in = ? WHERE id = ?")) {
        ps.setLong(1, clock.millis());
        ps.setString(2, id);
        ps.executeUpdate();
      }
      return null;
    });
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private User update(String id, String set, Binder binder) {
    return db.inTransaction(c -> {
      // Every binder sets exactly one parameter, the first.
      try (PreparedStatement ps = c.prepareStatement("UPDATE users SET " + set
          + ", version = version + 1, update_time = ? WHERE id = ?")) {
        binder.bind(ps);
        ps.setLong(2, clock.millis());
        ps.setString(3, id);
        if (ps.executeUpdate() != 1) {
          throw new NotFoundException("no user with id " + id);
        }
      }
      return one(c, "id = ?", id, null).orElseThrow();
    });
  }

  private static void insert(Connection c, User u) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO users(" + COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, u.id());
      ps.setString(2, u.email());
      ps.setString(3, u.kind().name().toLowerCase(Locale.ROOT));
      ps.setString(4, u.provider());
      ps.setString(5, u.subject());
      ps.setString(6, u.displayName().orElse(null));
      ps.setString(7, u.passwordHash().orElse(null));
      ps.setBoolean(8, u.disabled());
      ps.setInt(9, u.failedAttempts());
      ps.setLong(10, u.lockedUntil().toEpochMilli());
      ps.setLong(11, u.version());
      ps.setLong(12, u.createTime().toEpochMilli());
      ps.setLong(13, u.updateTime().toEpochMilli());
      if (u.lastSignIn().isPresent()) {
        ps.setLong(14, u.lastSignIn().get().toEpochMilli());
      } else {
        ps.setNull(14, Types.BIGINT);
      }
      ps.executeUpdate();
    }
  }

  private static Optional<User> one(Connection c, String where, String a, String b) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM users WHERE " + where)) {
      ps.setString(1, a);
      if (b != null) {
        ps.setString(2, b);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  private static User read(ResultSet rs) throws SQLException {
    long last = rs.getLong("last_sign_in");
    Optional<Instant> lastSignIn = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(last));
    return new User(
        rs.getString("id"),
        rs.getString("email"),
        User.Kind.valueOf(rs.getString("kind").toUpperCase(Locale.ROOT)),
        rs.getString("provider"),
        rs.getString("subject"),
        Optional.ofNullable(rs.getString("display_name")),
        Optional.ofNullable(rs.getString("password_hash")),
        rs.getBoolean("disabled"),
        rs.getInt("failed_attempts"),
        Instant.ofEpochMilli(rs.getLong("locked_until")),
        rs.getLong("version"),
        Instant.ofEpochMilli(rs.getLong("create_time")),
        Instant.ofEpochMilli(rs.getLong("update_time")),
        lastSignIn);
  }
}
