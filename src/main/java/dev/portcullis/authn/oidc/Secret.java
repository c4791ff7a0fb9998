package dev.portcullis.authn.oidc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A secret value (a client secret) that does not show itself: {@link #toString()} is redacted, so a
 * secret that ends up in a log line, an exception message or a record's string form leaks nothing.
 */
public final class Secret {
  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  public static Secret of(String value) {
    Objects.requireNonNull(value, "secret");
    if (value.isBlank()) {
      throw new IllegalArgumentException("secret must not be blank");
    }
    return new Secret(value);
  }

  /** Reads a secret from a file, ignoring a trailing line break (as editors and {@code echo} leave one). */
  public static Secret readFile(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return of(text.stripTrailing());
  }

  /** The value itself; call it only where the secret is sent to the party that issued it. */
  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return "Secret[redacted]";
  }
}
