package dev.portcullis.authn;

import dev.portcullis.config.DnsLabel;
import java.util.Locale;
import java.util.Optional;

/**
 * Strict email addresses: exactly one '@', a non-empty local part without spaces, control characters,
 * quotes or angle brackets, and a domain that is a valid DNS name. Lower-cased, so comparison is exact.
 */
public final class Emails {
  public static final int MAX_LENGTH = 254;
  public static final int MAX_LOCAL_LENGTH = 64;

  private Emails() {}

  public static Optional<String> normalize(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String e = raw.trim().toLowerCase(Locale.ROOT);
    return problem(e).isEmpty() ? Optional.of(e) : Optional.empty();
  }

  /**
   * Why {@code raw} is not an email address, as a phrase that follows the address in a message ("has two
   * '@'"); empty when {@link #normalize} accepts it.
   */
  public static Optional<String> whyInvalid(String raw) {
    if (raw == null) {
      return Optional.of("is missing");
    }
    return problem(raw.trim().toLowerCase(Locale.ROOT));
  }

  private static Optional<String> problem(String e) {
    if (e.isEmpty()) {
      return Optional.of("is empty");
    }
    for (int i = 0; i < e.length(); i++) {
      char c = e.charAt(i);
      if (Character.isISOControl(c)) {
        return Optional.of("contains a control character");
      }
      if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
        return Optional.of("contains a space");
      }
    }
    if (e.length() > MAX_LENGTH) {
      return Optional.of("is longer than " + MAX_LENGTH + " characters");
    }
    int at = e.indexOf('@');
    if (at < 0) {
      return Optional.of("has no '@'");
    }
    if (at != e.lastIndexOf('@')) {
      return Optional.of("has more than one '@'");
    }
    if (at == 0) {
      return Optional.of("has nothing before the '@'");
    }
    if (at > MAX_LOCAL_LENGTH) {
      return Optional.of("has more than " + MAX_LOCAL_LENGTH + " characters before the '@'");
    }
    String local = e.substring(0, at);
    String domain = e.substring(at + 1);
    for (int i = 0; i < local.length(); i++) {
      char c = local.charAt(i);
      if (c <= 0x20 || c >= 0x7f || "\"<>()[]\\,;:".indexOf(c) >= 0) {
        return Optional.of("has a character that is not allowed before the '@' (only plain ASCII without "
            + "quotes, brackets, ',', ';', ':' or '\\')");
      }
    }
    if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
      return Optional.of("has a '.' at the start or end of the part before the '@', or two in a row");
    }
    if (!domain.contains(".") && !domain.equals("localhost") || !DnsLabel.validHostName(domain)) {
      return Optional.of("has a domain that is not a DNS name such as example.com (letters, digits, '-' and '.')");
    }
    return Optional.empty();
  }

  public static String domainOf(String normalizedEmail) {
    return normalizedEmail.substring(normalizedEmail.indexOf('@') + 1);
  }
}
