package dev.portcullis.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Optional;

/** Single-use sign-in state: hand-off codes and OpenID Connect login states. Reading one deletes it. */
public final class SignInStateRepository {
  /** A hand-off code's payload. */
  public record Handoff(String sessionHash, String host, String returnUrl, String bindingHash) {}

  /** An OpenID Connect sign-in in progress. */
  public record LoginState(String provider, String nonce, String codeVerifier, String signInRequest) {}

  private final Database db;

  public SignInStateRepository(Database db) {
    this.db = db;
  }

  public void putHandoff(String codeHash, Handoff h, Instant expires) {
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO handoff_codes(code_hash, session_hash, host, return_url, binding_hash, expire_time) "
          + "VALUES (?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, codeHash);
        ps.setString(2, h.sessionHash());
        ps.setString(3, h.host());
        ps.setString(4, h.returnUrl());
        ps.setString(5, h.bindingHash());
        ps.setLong(6, expires.toEpochMilli());
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** The hand-off, if the code exists and has not expired; the code is gone afterwards either way. */
  public Optional<Handoff> takeHandoff(String codeHash, Instant now) {
    return db.inTransaction(c -> {
      Handoff h = null;
      long expires = 0;
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT session_hash, host, return_url, binding_hash, expire_time FROM handoff_codes WHERE code_hash = ?")) {
        ps.setString(1, codeHash);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            h = new Handoff(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4));
            expires = rs.getLong(5);
          }
        }
      }
      if (h == null) {
        return Optional.<Handoff>empty();
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM handoff_codes WHERE code_hash = ?")) {
        ps.setString(1, codeHash);
        if (ps.executeUpdate() != 1) {
          return Optional.<Handoff>empty();
        }
      }
      return expires > now.toEpochMilli() ? Optional.of(h) : Optional.<Handoff>empty();
    });
  }

  public void putLoginState(String stateHash, String bindingHash, LoginState s, Instant expires) {
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO login_states(state_hash, binding_hash, provider, "
          + "nonce, code_verifier, signin_request, expire_time) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, stateHash);
        ps.setString(2, bindingHash);
        ps.setString(3, s.provider());
        ps.setString(4, s.nonce());
        ps.setString(5, s.codeVerifier());
        ps.setString(6, s.signInRequest());
        ps.setLong(7, expires.toEpochMilli());
        ps.executeUpdate();
      }
      return null;
    });
  }

  /**
   * The login state, if it exists, has not expired and is bound to this browser. It is deleted whenever
   * it is found, so a replayed or mismatched state can never be used again.
   */
  public Optional<LoginState> takeLoginState(String stateHash, String bindingHash, Instant now) {
    return db.inTransaction(c -> {
      LoginState s = null;
      String binding = null;
      long expires = 0;
      try (PreparedStatement ps = c.prepareStatement("SELECT binding_hash, provider, nonce, code_verifier, signin_request, "
          + "expire_time FROM login_states WHERE state_hash = ?")) {
        ps.setString(1, stateHash);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            binding = rs.getString(1);
            s = new LoginState(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5));
            expires = rs.getLong(6);
          }
        }
      }
      if (s == null) {
        return Optional.<LoginState>empty();
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM login_states WHERE state_hash = ?")) {
        ps.setString(1, stateHash);
        if (ps.executeUpdate() != 1) {
          return Optional.<LoginState>empty();
        }
      }
      boolean ok = expires > now.toEpochMilli() && java.security.MessageDigest.isEqual(
          binding.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          bindingHash.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return ok ? Optional.of(s) : Optional.<LoginState>empty();
    });
  }
}
