package dev.portcullis.store;

import dev.portcullis.iam.condition.AccessLevel;
import dev.portcullis.service.Etags;
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

/** Access levels in the store. Every write is one transaction and checks the caller's etag when given. */
public final class AccessLevelRepository {
  private static final String COLUMNS = "name, title, description, ip_subnetworks, expression, version, update_time";

  private final Database db;
  private final Clock clock;

  public AccessLevelRepository(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public List<AccessLevel> list() {
    return db.inTransaction(c -> {
      List<AccessLevel> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM access_levels ORDER BY name");
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
      return out;
    });
  }

  public Optional<AccessLevel> get(String name) {
    return db.inTransaction(c -> find(c, name));
  }

  public AccessLevel create(AccessLevel level) {
    return db.inTransaction(c -> {
      if (find(c, level.name()).isPresent()) {
        throw new ConflictException("access level '" + level.name() + "' already exists; use update to change it");
      }
      AccessLevel stored = level.withVersion(1, now());
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO access_levels(" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, stored.name());
        ps.setString(2, stored.title());
        ps.setString(3, stored.description());
        ps.setString(4, subnetworks(stored));
        ps.setString(5, stored.expression());
        ps.setLong(6, stored.version());
        ps.setLong(7, stored.updateTime().toEpochMilli());
        ps.executeUpdate();
      }
      return stored;
    });
  }

  /** Replaces a level. With an expected version, a concurrent change makes this fail with a conflict. */
  public AccessLevel update(AccessLevel level, Optional<Long> expectedVersion) {
    return db.inTransaction(c -> {
      AccessLevel current = find(c, level.name()).orElseThrow(() -> notFound(level.name()));
      checkVersion(current, expectedVersion);
      AccessLevel stored = level.withVersion(current.version() + 1, now());
      try (PreparedStatement ps = c.prepareStatement("UPDATE access_levels SET title = ?, description = ?, "
          + "ip_subnetworks = ?, expression = ?, version = ?, update_time = ? WHERE name = ? AND version = ?")) {
        ps.setString(1, stored.title());
        ps.setString(2, stored.description());
        ps.setString(3, subnetworks(stored));
        ps.setString(4, stored.expression());
        ps.setLong(5, stored.version());
        ps.setLong(6, stored.updateTime().toEpochMilli());
        ps.setString(7, stored.name());
        ps.setLong(8, current.version());
        if (ps.executeUpdate() != 1) {
          throw concurrent(level.name());
        }
      }
      return stored;
    });
  }

  public AccessLevel delete(String name, Optional<Long> expectedVersion) {
    return db.inTransaction(c -> {
      AccessLevel current = find(c, name).orElseThrow(() -> notFound(name));
      checkVersion(current, expectedVersion);
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM access_levels WHERE name = ? AND version = ?")) {
        ps.setString(1, name);
        ps.setLong(2, current.version());
        if (ps.executeUpdate() != 1) {
          throw concurrent(name);
        }
      }
      return current;
    });
  }

  public static NotFoundException notFound(String name) {
    return new NotFoundException("access level '" + name + "' does not exist");
  }

  private static ConflictException concurrent(String name) {
    return new ConflictException("access level '" + name + "' was changed concurrently; read it again and retry");
  }

  private static void checkVersion(AccessLevel current, Optional<Long> expected) {
    if (expected.isPresent() && expected.get() != current.version()) {
      throw new ConflictException("etag mismatch: access level '" + current.name() + "' is now at etag "
          + Etags.of(current.version()) + "; read it again, reapply your change and retry");
    }
  }

  /** Times are stored as epoch milliseconds; a write answers with the time exactly as later reads give it. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private static String subnetworks(AccessLevel level) {
    return level.ipSubnetworks().isEmpty() ? null : String.join("\n", level.ipSubnetworks());
  }

  private static Optional<AccessLevel> find(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM access_levels WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  private static AccessLevel read(ResultSet rs) throws SQLException {
    String subnetworks = rs.getString("ip_subnetworks");
    return new AccessLevel(
        rs.getString("name"),
        rs.getString("title"),
        rs.getString("description"),
        subnetworks == null || subnetworks.isEmpty() ? List.of() : List.of(subnetworks.split("\n")),
        rs.getString("expression"),
        rs.getLong("version"),
        Instant.ofEpochMilli(rs.getLong("update_time")));
  }
}
