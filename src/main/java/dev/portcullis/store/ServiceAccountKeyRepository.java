package dev.portcullis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The public halves of service account keys. Each write is one transaction. */
public final class ServiceAccountKeyRepository {
  /** One stored key: its id, its account, the public key as a JWK JSON string, and when it was made. */
  public record Row(String keyId, String accountEmail, String publicJwk, Instant createTime) {}

  private final Database db;

  public ServiceAccountKeyRepository(Database db) {
    this.db = db;
  }

  public List<Row> list() {
    return db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT key_id, account_email, public_jwk, create_time FROM service_account_keys ORDER BY key_id");
           ResultSet rs = ps.executeQuery()) {
        List<Row> out = new ArrayList<>();
        while (rs.next()) {
          out.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4))));
        }
        return out;
      }
    });
  }

  /**
   * Adds a key to an existing account, refusing when it already holds {@code maxPerAccount} keys.
   *
   * @throws NotFoundException when the account does not exist
   */
  public Row create(Row row, int maxPerAccount) {
    return db.inTransaction(c -> {
      if (ServiceAccountRepository.find(c, row.accountEmail()).isEmpty()) {
        throw new NotFoundException("service account " + row.accountEmail() + " does not exist");
      }
      if (count(c, row.accountEmail()) >= maxPerAccount) {
        throw new ConflictException("service account " + row.accountEmail() + " already has " + maxPerAccount
            + " keys, the most it may hold; delete one it no longer uses first");
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO service_account_keys(key_id, account_email, public_jwk, create_time) VALUES (?, ?, ?, ?)")) {
        ps.setString(1, row.keyId());
        ps.setString(2, row.accountEmail());
        ps.setString(3, row.publicJwk());
        ps.setLong(4, row.createTime().toEpochMilli());
        ps.executeUpdate();
      }
      return row;
    });
  }

  /** Deletes the account's key; NotFoundException when that account has no such key. */
  public void delete(String accountEmail, String keyId) {
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "DELETE FROM service_account_keys WHERE key_id = ? AND account_email = ?")) {
        ps.setString(1, keyId);
        ps.setString(2, accountEmail);
        if (ps.executeUpdate() != 1) {
          throw new NotFoundException("service account " + accountEmail + " has no key " + keyId);
        }
      }
      return null;
    });
  }

  private static int count(Connection c, String accountEmail) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT COUNT(*) FROM service_account_keys WHERE account_email = ?")) {
      ps.setString(1, accountEmail);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }
}
