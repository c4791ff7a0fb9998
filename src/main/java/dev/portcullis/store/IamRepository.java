package dev.portcullis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * IAM policies and custom roles. Policies are kept as their bindings' JSON per resource, with a version
 * that every write bumps and that an etag-checked write compares inside its transaction.
 */
public final class IamRepository {
  private final Database db;
  private final Clock clock;

  public IamRepository(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** A stored policy: {@code version} 0 and {@code "[]"} for a resource that never had one. */
  public record StoredPolicy(String resource, long version, String bindingsJson) {}

  public record StoredRole(String name, String title, String description, String permissionsJson, long version) {}

  public StoredPolicy policy(String resource) {
    return db.inTransaction(c -> find(c, resource));
  }

  public List<StoredPolicy> policies() {
    return db.inTransaction(c -> {
      List<StoredPolicy> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT resource, version, bindings FROM iam_policies ORDER BY resource");
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new StoredPolicy(rs.getString(1), rs.getLong(2), rs.getString(3)));
        }
      }
      return out;
    });
  }

  /**
   * Replaces the bindings of one resource's policy. With an expected version, the write happens only if
   * the stored version is still that one; otherwise nothing is written and a conflict is thrown.
   */
  public StoredPolicy setPolicy(String resource, String bindingsJson, Optional<Long> expectedVersion,
      Optional<String> staleMessage) {
    return db.inTransaction(c -> {
      StoredPolicy current = find(c, resource);
      if (expectedVersion.isPresent() && expectedVersion.get() != current.version()) {
        throw new ConflictException(staleMessage.orElse("the policy of " + resource + " was changed since it was read"));
      }
      long next = current.version() + 1;
      String sql = current.version() == 0
          ? "INSERT INTO iam_policies(bindings, version, update_time, resource) VALUES (?, ?, ?, ?)"
          : "UPDATE iam_policies SET bindings = ?, version = ?, update_time = ? WHERE resource = ?";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, bindingsJson);
        ps.setLong(2, next);
        ps.setLong(3, clock.millis());
        ps.setString(4, resource);
        ps.executeUpdate();
      }
      return new StoredPolicy(resource, next, bindingsJson);
    });
  }

  public List<StoredRole> roles() {
    return db.inTransaction(c -> {
      List<StoredRole> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT name, title, description, permissions, version FROM custom_roles ORDER BY name");
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new StoredRole(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5)));
        }
      }
      return out;
    });
  }

  public StoredRole createRole(StoredRole role) {
    return db.inTransaction(c -> {
      try (PreparedStatement check = c.prepareStatement("SELECT 1 FROM custom_roles WHERE name = ?")) {
        check.setString(1, role.name());
        try (ResultSet rs = check.executeQuery()) {
          if (rs.next()) {
            throw new ConflictException("role '" + role.name() + "' already exists; update it instead");
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO custom_roles(name, title, description, permissions, "
          + "version, create_time, update_time) VALUES (?, ?, ?, ?, 1, ?, ?)")) {
        ps.setString(1, role.name());
        ps.setString(2, role.title());
        ps.setString(3, role.description());
        ps.setString(4, role.permissionsJson());
        ps.setLong(5, clock.millis());
        ps.setLong(6, clock.millis());
        ps.executeUpdate();
      }
      return new StoredRole(role.name(), role.title(), role.description(), role.permissionsJson(), 1);
    });
  }

  public StoredRole updateRole(StoredRole role, Optional<Long> expectedVersion) {
    return db.inTransaction(c -> {
      long current = roleVersion(c, role.name());
      if (expectedVersion.isPresent() && expectedVersion.get() != current) {
        throw new ConflictException("etag mismatch: role '" + role.name() + "' was changed since it was read; "
            + "read it again, reapply your change and retry");
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE custom_roles SET title = ?, description = ?, "
          + "permissions = ?, version = ?, update_time = ? WHERE name = ?")) {
        ps.setString(1, role.title());
        ps.setString(2, role.description());
        ps.setString(3, role.permissionsJson());
        ps.setLong(4, current + 1);
        ps.setLong(5, clock.millis());
        ps.setString(6, role.name());
        ps.executeUpdate();
      }
      return new StoredRole(role.name(), role.title(), role.description(), role.permissionsJson(), current + 1);
    });
  }

  /** Deletes a custom role; {@code inUse} lists the resources whose bindings name it, and refuses if any. */
  public void deleteRole(String name, Optional<Long> expectedVersion, java.util.function.Function<List<StoredPolicy>, List<String>> inUse) {
    db.inTransaction(c -> {
      long current = roleVersion(c, name);
      if (expectedVersion.isPresent() && expectedVersion.get() != current) {
        throw new ConflictException("etag mismatch: role '" + name + "' was changed since it was read");
      }
      List<StoredPolicy> all = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT resource, version, bindings FROM iam_policies");
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          all.add(new StoredPolicy(rs.getString(1), rs.getLong(2), rs.getString(3)));
        }
      }
      List<String> users = inUse.apply(all);
      if (!users.isEmpty()) {
        throw new ConflictException("role '" + name + "' is still granted on " + String.join(", ", users)
            + "; remove those bindings first");
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM custom_roles WHERE name = ?")) {
        ps.setString(1, name);
        ps.executeUpdate();
      }
      return null;
    });
  }

  private static long roleVersion(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT version FROM custom_roles WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new NotFoundException("role '" + name + "' does not exist");
        }
        return rs.getLong(1);
      }
    }
  }

  private static StoredPolicy find(Connection c, String resource) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT version, bindings FROM iam_policies WHERE resource = ?")) {
      ps.setString(1, resource);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new StoredPolicy(resource, rs.getLong(1), rs.getString(2))
            : new StoredPolicy(resource, 0, "[]");
      }
    }
  }

  /** Removes a deleted service's policy in the caller's transaction, so a later service of that name starts bare. */
  static void deleteServicePolicy(Connection c, String resource) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM iam_policies WHERE resource = ?")) {
      ps.setString(1, resource);
      ps.executeUpdate();
    }
  }

  /** Moves a service's policy when the service moves to another project, in the caller's transaction. */
  static void moveServicePolicy(Connection c, String from, String to) throws SQLException {
    try (PreparedStatement del = c.prepareStatement("DELETE FROM iam_policies WHERE resource = ?");
         PreparedStatement ps = c.prepareStatement("UPDATE iam_policies SET resource = ? WHERE resource = ?")) {
      del.setString(1, to);
      del.executeUpdate();
      ps.setString(1, to);
      ps.setString(2, from);
      ps.executeUpdate();
    }
  }
}
