package dev.portcullis.config;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The 256-bit key that seals the signing keys at rest. Written as base64 ({@code openssl rand -base64 32}).
 * Its text form never appears in logs or messages: {@link #toString()} says only that it is redacted.
 */
public final class MasterKey {
  public static final int BYTES = 32;
  public static final String HOW_TO_MAKE = "32 random bytes in base64, e.g. the output of 'openssl rand -base64 32'";

  private final byte[] key;

  private MasterKey(byte[] key) {
    this.key = key;
  }

  /** A key from its base64 text (standard or URL-safe alphabet, padding optional); empty unless 32 bytes. */
  public static Optional<MasterKey> parse(String text) {
    String t = text == null ? "" : text.strip();
    byte[] bytes;
    try {
      bytes = t.indexOf('-') >= 0 || t.indexOf('_') >= 0 ? Base64.getUrlDecoder().decode(t)
          : Base64.getDecoder().decode(t);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return bytes.length == BYTES ? Optional.of(new MasterKey(bytes)) : Optional.empty();
  }

  public static MasterKey generate() {
    byte[] bytes = new byte[BYTES];
    new SecureRandom().nextBytes(bytes);
    return new MasterKey(bytes);
  }

  /** The base64 text, for writing the generated key to its file only. */
  public String encoded() {
    return Base64.getEncoder().encodeToString(key);
  }

  public SecretKey secretKey() {
    return new SecretKeySpec(Arrays.copyOf(key, key.length), "AES");
  }

  @Override
  public String toString() {
    return "MasterKey[redacted]";
  }
}
