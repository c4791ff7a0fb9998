package dev.portcullis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The assertion signing keys. The private half arrives here already sealed; this class never sees a
 * private key in clear. Rotation is one transaction, so concurrent rotations on two replicas cannot leave
 * two current keys.
 */
public final class SigningKeyRepository {
  public static final String NEXT = "next";
  public static final String CURRENT = "current";
  public static final String PREVIOUS = "previous";

  /** One stored key: its public JWK and its sealed private JWK, as JSON/compact strings. */
  public record Row(String kid, String state, String publicJwk, String sealedPrivateJwk, Instant createTime,
      Instant stateTime) {
    @Override
    public String toString() {
      return "SigningKeyRepository.Row[kid=" + kid + ", state=" + state + "]";
    }
  }

  private final Database db;

  public SigningKeyRepository(Database db) {
    this.db = db;
  }

  /** Every key, the signing one first, then the next, then the previous. */
  public List<Row> list() {
    return db.inTransaction(SigningKeyRepository::list);
  }

  /**
   * Stores a first current and next key when there are none yet; false (and nothing written) when another
   * process got there first, in which case its keys are the ones to use.
   */
  public boolean initialize(Row current, Row next) {
    return db.inTransaction(c -> {
      if (!list(c).isEmpty()) {
        return false;
      }
      insert(c, current);
      insert(c, next);
      return true;
    });
  }

  /**
   * The previous key is dropped, the current one becomes previous, the next one current, and
   * {@code newNext} is added as the next. Returns the keys after the rotation.
   */
  public List<Row> rotate(Row newNext, Instant now) {
    return db.inTransaction(c -> {
      List<Row> rows = list(c);
      long current = rows.stream().filter(r -> r.state().equals(CURRENT)).count();
      long next = rows.stream().filter(r -> r.state().equals(NEXT)).count();
      if (current != 1 || next != 1) {
        throw new StoreException("the signing keys in the store are not one current and one next key (found "
            + current + " current, " + next + " next); restart Portcullis to repair them before rotating");
      }
      try (PreparedStatement drop = c.prepareStatement("DELETE FROM signing_keys WHERE state = ?");
           PreparedStatement move = c.prepareStatement(
               "UPDATE signing_keys SET state = ?, state_time = ? WHERE state = ?")) {
        drop.setString(1, PREVIOUS);
        drop.executeUpdate();
        for (String[] step : new String[][] {{PREVIOUS, CURRENT}, {CURRENT, NEXT}}) {
          move.setString(1, step[0]);
          move.setLong(2, now.toEpochMilli());
          move.setString(3, step[1]);
          move.executeUpdate();
        }
      }
      insert(c, newNext);
      return list(c);
    });
  }

  private static List<Row> list(Connection c) throws SQLException {
    List<Row> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT kid, state, public_jwk, private_jwk, create_time, "
        + "state_time FROM signing_keys ORDER BY CASE state WHEN 'current' THEN 0 WHEN 'next' THEN 1 ELSE 2 END, kid");
         ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
            Instant.ofEpochMilli(rs.getLong(5)), Instant.ofEpochMilli(rs.getLong(6))));
      }
    }
    return out;
  }

  private static void insert(Connection c, Row r) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO signing_keys(kid, state, public_jwk, private_jwk, "
        + "create_time, state_time) VALUES (?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, r.kid());
      ps.setString(2, r.state());
      ps.setString(3, r.publicJwk());
      ps.setString(4, r.sealedPrivateJwk());
      ps.setLong(5, r.createTime().toEpochMilli());
      ps.setLong(6, r.stateTime().toEpochMilli());
      ps.executeUpdate();
    }
  }
}
