package dev.portcullis.store;

import dev.portcullis.directory.MemberName;
import dev.portcullis.directory.ServiceAccount;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Service accounts in the store. Every write is one transaction and checks the caller's etag when given. */
public final class ServiceAccountRepository {
  private static final String COLUMNS =
      "email, project, display_name, description, disabled, version, create_time, update_time";

  private final Database db;
  private final Clock clock;

  public ServiceAccountRepository(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public ServiceAccount create(ServiceAccount sa) {
    return db.inTransaction(c -> {
      if (find(c, sa.email()).isPresent()) {
        throw new AlreadyExistsException("service account " + sa.email() + " already exists");
      }
      Instant now = now();
      ServiceAccount stored = new ServiceAccount(sa.email(), sa.project(), sa.displayName(), sa.description(),
          sa.disabled(), 1, now, now);
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO service_accounts(" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, stored.email());
        ps.setString(2, stored.project());
        ps.setString(3, stored.displayName().orElse(null));
        ps.setString(4, stored.description().orElse(null));
        ps.setBoolean(5, stored.disabled());
        ps.setLong(6, stored.version());
        ps.setLong(7, stored.createTime().toEpochMilli());
        ps.setLong(8, stored.updateTime().toEpochMilli());
        ps.executeUpdate();
      }
      return stored;
    });
  }

  public ServiceAccount setDisabled(String email, boolean disabled, Optional<Long> expectedVersion) {
    return db.inTransaction(c -> {
      ServiceAccount current = existing(c, email);
      checkVersion(current, expectedVersion);
      ServiceAccount stored = new ServiceAccount(current.email(), current.project(), current.displayName(),
          current.description(), disabled, current.version() + 1, current.createTime(), now());
      try (PreparedStatement ps = c.prepareStatement("UPDATE service_accounts SET disabled = ?, version = ?, "
          + "update_time = ? WHERE email = ? AND version = ?")) {
        ps.setBoolean(1, disabled);
        ps.setLong(2, stored.version());
        ps.setLong(3, stored.updateTime().toEpochMilli());
        ps.setString(4, email);
        ps.setLong(5, current.version());
        if (ps.executeUpdate() != 1) {
          throw concurrent(email);
        }
      }
      return stored;
    });
  }

  /**
   * Deletes a service account and removes it from every group it was in. A new account later made with
   * the same email starts with no memberships.
   */
  public ServiceAccount delete(String email, Optional<Long> expectedVersion) {
    return db.inTransaction(c -> {
      ServiceAccount current = existing(c, email);
      checkVersion(current, expectedVersion);
      GroupRepository.removeEverywhere(c, MemberName.serviceAccount(email).canonical(), now());
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM service_accounts WHERE email = ? AND version = ?")) {
        ps.setString(1, email);
        ps.setLong(2, current.version());
        if (ps.executeUpdate() != 1) {
          throw concurrent(email);
        }
      }
      return current;
    });
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private static ServiceAccount existing(Connection c, String email) throws SQLException {
    return find(c, email).orElseThrow(() -> new NotFoundException("service account " + email + " does not exist"));
  }

  private static void checkVersion(ServiceAccount current, Optional<Long> expected) {
    if (expected.isPresent() && expected.get() != current.version()) {
      throw new ConflictException("etag mismatch: service account " + current.email() + " is now at etag "
          + current.etag() + "; read it again, reapply your change and retry");
    }
  }

  private static ConflictException concurrent(String email) {
    return new ConflictException("service account " + email + " was changed concurrently; read it again and retry");
  }

  static List<ServiceAccount> list(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM service_accounts ORDER BY email");
         ResultSet rs = ps.executeQuery()) {
      List<ServiceAccount> out = new ArrayList<>();
      while (rs.next()) {
        out.add(read(rs));
      }
      return out;
    }
  }

  static Optional<ServiceAccount> find(Connection c, String email) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM service_accounts WHERE email = ?")) {
      ps.setString(1, email);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  private static ServiceAccount read(ResultSet rs) throws SQLException {
    return new ServiceAccount(
        rs.getString("email"),
        rs.getString("project"),
        Optional.ofNullable(rs.getString("display_name")),
        Optional.ofNullable(rs.getString("description")),
        rs.getBoolean("disabled"),
        rs.getLong("version"),
        Instant.ofEpochMilli(rs.getLong("create_time")),
        Instant.ofEpochMilli(rs.getLong("update_time")));
  }
}
