package dev.portcullis.store;

import dev.portcullis.directory.Group;
import dev.portcullis.directory.GroupGraph;
import dev.portcullis.directory.MemberName;
import dev.portcullis.directory.ServiceAccount;
import dev.portcullis.service.ValidationException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Groups and their members in the store. Every write is one transaction, checks the caller's etag when
 * given, and moves the group's version on: a group's etag covers its direct members as well as its fields.
 * The rules that need the whole store (no cycle, a member group or service account must exist) are
 * checked inside the writing transaction, so two writers can never together build what each alone was refused.
 */
public final class GroupRepository {
  private static final String COLUMNS = "email, display_name, description, version, create_time, update_time";
  private static final String GROUP_PREFIX = MemberName.Kind.GROUP.prefix() + ":";

  private final Database db;
  private final Clock clock;

  public GroupRepository(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** Receives the whole directory, read in one transaction, row by row. */
  public interface DirectoryRows {
    void group(Group g);

    void serviceAccount(ServiceAccount sa);

    /**
     * One direct membership: {@code member} (canonical) is in the group {@code groupEmail}. All of a
     * member's memberships come one after the other.
     */
    void member(String groupEmail, String member);
  }

  /** Reads every group (in email order), every service account and every membership, in one transaction. */
  public void readDirectory(DirectoryRows rows) {
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM groups ORDER BY email");
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.group(read(rs));
        }
      }
      for (ServiceAccount sa : ServiceAccountRepository.list(c)) {
        rows.serviceAccount(sa);
      }
      // One row per member with its groups joined by newlines (which no email holds): the store does the
      // gathering from its (member, group_email) index, and a directory of a million memberships crosses
      // JDBC in as many rows as it has members.
      String gather = db.vendor() == Database.Vendor.POSTGRESQL
          ? "string_agg(group_email, chr(10))" : "group_concat(group_email, char(10))";
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT member, " + gather + " FROM group_members GROUP BY member");
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String member = rs.getString(1);
          String groups = rs.getString(2);
          int start = 0;
          for (int end = groups.indexOf('\n'); ; end = groups.indexOf('\n', start)) {
            rows.member(end < 0 ? groups.substring(start) : groups.substring(start, end), member);
            if (end < 0) {
              break;
            }
            start = end + 1;
          }
        }
      }
      return null;
    });
  }

  public Optional<Group> get(String email) {
    return db.inTransaction(c -> find(c, email));
  }

  public Group create(Group g) {
    return db.inTransaction(c -> {
      if (find(c, g.email()).isPresent()) {
        throw new AlreadyExistsException("group " + g.email() + " already exists");
      }
      Instant now = now();
      Group stored = new Group(g.email(), g.displayName(), g.description(), 1, now, now);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO groups(" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, stored.email());
        ps.setString(2, stored.displayName().orElse(null));
        ps.setString(3, stored.description().orElse(null));
        ps.setLong(4, stored.version());
        ps.setLong(5, stored.createTime().toEpochMilli());
        ps.setLong(6, stored.updateTime().toEpochMilli());
        ps.executeUpdate();
      }
      return stored;
    });
  }

  /** Replaces the display name and description of a group. */
  public Group update(Group g, Optional<Long> expectedVersion) {
    return db.inTransaction(c -> {
      Group current = existing(c, g.email());
      checkVersion(current, expectedVersion);
      Group stored = new Group(g.email(), g.displayName(), g.description(), current.version() + 1,
          current.createTime(), now());
      try (PreparedStatement ps = c.prepareStatement("UPDATE groups SET display_name = ?, description = ?, "
          + "version = ?, update_time = ? WHERE email = ? AND version = ?")) {
        ps.setString(1, stored.displayName().orElse(null));
        ps.setString(2, stored.description().orElse(null));
        ps.setLong(3, stored.version());
        ps.setLong(4, stored.updateTime().toEpochMilli());
        ps.setString(5, stored.email());
        ps.setLong(6, current.version());
        if (ps.executeUpdate() != 1) {
          throw concurrent(g.email());
        }
      }
      return stored;
    });
  }

  /**
   * Deletes a group, its memberships, and its place in every group it was a member of (those groups'
   * versions move on). People who were in it through nesting lose that path at once.
   */
  public Group delete(String email, Optional<Long> expectedVersion) {
    return db.inTransaction(c -> {
      Group current = existing(c, email);
      checkVersion(current, expectedVersion);
      removeEverywhere(c, GROUP_PREFIX + email, now());
      try (PreparedStatement members = c.prepareStatement("DELETE FROM group_members WHERE group_email = ?");
           PreparedStatement ps = c.prepareStatement("DELETE FROM groups WHERE email = ? AND version = ?")) {
        members.setString(1, email);
        members.executeUpdate();
        ps.setString(1, email);
        ps.setLong(2, current.version());
        if (ps.executeUpdate() != 1) {
          throw concurrent(email);
        }
      }
      return current;
    });
  }

  /**
   * Adds a direct member. A group member must exist and must not contain {@code groupEmail} (directly or
   * through other groups); a service account member must exist; a user member need not have signed in yet.
   * Refusals of the member are {@link ValidationException}s on the field "member".
   */
  public Group addMember(String groupEmail, MemberName member, Optional<Long> expectedVersion) {
    return db.inTransaction(c -> {
      Group current = existing(c, groupEmail);
      checkVersion(current, expectedVersion);
      switch (member.kind()) {
        case GROUP -> {
          if (find(c, member.email()).isEmpty()) {
            throw new ValidationException("member", "there is no group " + member.email()
                + "; create it first, then add it as a member");
          }
          GroupGraph.cycleIfAdded(nestedGroups(c), groupEmail, member.email()).ifPresent(cycle -> {
            throw new ValidationException("member", "adding " + member + " to group " + groupEmail
                + " would make a cycle: " + GroupGraph.describe(cycle)
                + "; a group cannot contain itself, directly or through other groups");
          });
        }
        case SERVICE_ACCOUNT -> {
          if (ServiceAccountRepository.find(c, member.email()).isEmpty()) {
            throw new ValidationException("member", "there is no service account " + member.email()
                + "; create it first with POST /v1/serviceAccounts");
          }
        }
        case USER -> { }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT 1 FROM group_members WHERE group_email = ? AND member = ?")) {
        ps.setString(1, groupEmail);
        ps.setString(2, member.canonical());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            throw new AlreadyExistsException(member + " is already a member of group " + groupEmail);
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO group_members(group_email, member) VALUES (?, ?)")) {
        ps.setString(1, groupEmail);
        ps.setString(2, member.canonical());
        ps.executeUpdate();
      }
      return bump(c, current);
    });
  }

  public Group removeMember(String groupEmail, MemberName member, Optional<Long> expectedVersion) {
    return db.inTransaction(c -> {
      Group current = existing(c, groupEmail);
      checkVersion(current, expectedVersion);
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM group_members WHERE group_email = ? AND member = ?")) {
        ps.setString(1, groupEmail);
        ps.setString(2, member.canonical());
        if (ps.executeUpdate() != 1) {
          throw new NotFoundException(member + " is not a direct member of group " + groupEmail);
        }
      }
      return bump(c, current);
    });
  }

  /** Removes {@code member} from every group it is directly in, moving those groups' versions on. */
  static void removeEverywhere(Connection c, String member, Instant now) throws SQLException {
    try (PreparedStatement bump = c.prepareStatement("UPDATE groups SET version = version + 1, update_time = ? "
        + "WHERE email IN (SELECT group_email FROM group_members WHERE member = ?)");
         PreparedStatement delete = c.prepareStatement("DELETE FROM group_members WHERE member = ?")) {
      bump.setLong(1, now.toEpochMilli());
      bump.setString(2, member);
      bump.executeUpdate();
      delete.setString(1, member);
      delete.executeUpdate();
    }
  }

  /** Each group's email to the emails of the groups directly in it. */
  private static Map<String, List<String>> nestedGroups(Connection c) throws SQLException {
    Map<String, List<String>> children = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT group_email, member FROM group_members WHERE member LIKE 'group:%'");
         ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        children.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
            .add(rs.getString(2).substring(GROUP_PREFIX.length()));
      }
    }
    return children;
  }

  private Group bump(Connection c, Group current) throws SQLException {
    Group stored = new Group(current.email(), current.displayName(), current.description(), current.version() + 1,
        current.createTime(), now());
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE groups SET version = ?, update_time = ? WHERE email = ? AND version = ?")) {
      ps.setLong(1, stored.version());
      ps.setLong(2, stored.updateTime().toEpochMilli());
      ps.setString(3, stored.email());
      ps.setLong(4, current.version());
      if (ps.executeUpdate() != 1) {
        throw concurrent(current.email());
      }
    }
    return stored;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private static Group existing(Connection c, String email) throws SQLException {
    return find(c, email).orElseThrow(() -> new NotFoundException("group " + email + " does not exist"));
  }

  private static void checkVersion(Group current, Optional<Long> expected) {
    if (expected.isPresent() && expected.get() != current.version()) {
      throw new ConflictException("etag mismatch: group " + current.email() + " is now at etag " + current.etag()
          + "; read it again, reapply your change and retry");
    }
  }

  private static ConflictException concurrent(String email) {
    return new ConflictException("group " + email + " was changed concurrently; read it again and retry");
  }

  private static Optional<Group> find(Connection c, String email) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM groups WHERE email = ?")) {
      ps.setString(1, email);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  private static Group read(ResultSet rs) throws SQLException {
    return new Group(
        rs.getString("email"),
        Optional.ofNullable(rs.getString("display_name")),
        Optional.ofNullable(rs.getString("description")),
        rs.getLong("version"),
        Instant.ofEpochMilli(rs.getLong("create_time")),
        Instant.ofEpochMilli(rs.getLong("update_time")));
  }
}
