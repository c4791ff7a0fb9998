package dev.portcullis.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/** Small named values the process keeps about itself. */
public final class MetaRepository {
  private final Database db;

  public MetaRepository(Database db) {
    this.db = db;
  }

  public Optional<String> get(String name) {
    return db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT value FROM meta WHERE name = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
        }
      }
    });
  }

  /** Stores the value unless the name has one already; returns the value the name has afterwards. */
  public String putIfAbsent(String name, String value) {
    return db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT value FROM meta WHERE name = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return rs.getString(1);
          }
        }
      }
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO meta(name, value) VALUES (?, ?)")) {
        ins.setString(1, name);
        ins.setString(2, value);
        ins.executeUpdate();
      }
      return value;
    });
  }

  public void put(String name, String value) {
    db.inTransaction(c -> {
      try (PreparedStatement del = c.prepareStatement("DELETE FROM meta WHERE name = ?");
           PreparedStatement ins = c.prepareStatement("INSERT INTO meta(name, value) VALUES (?, ?)")) {
        del.setString(1, name);
        del.executeUpdate();
        ins.setString(1, name);
        ins.setString(2, value);
        ins.executeUpdate();
      }
      return null;
    });
  }
}
