package dev.portcullis.authn;

import java.time.Instant;
import java.util.Optional;

/** A person who can sign in: a built-in account ("local") or an identity first seen through a provider. */
public record User(
    String id,
    String email,
    Kind kind,
    String provider,
    String subject,
    Optional<String> displayName,
    Optional<String> passwordHash,
    boolean disabled,
    int failedAttempts,
    Instant lockedUntil,
    long version,
    Instant createTime,
    Instant updateTime,
    Optional<Instant> lastSignIn) {

  /** Built-in accounts belong to this provider id. */
  public static final String LOCAL_PROVIDER = "local";

  public enum Kind { LOCAL, EXTERNAL }

  public Identity identity() {
    return new Identity(id, subject, email, provider);
  }
}
