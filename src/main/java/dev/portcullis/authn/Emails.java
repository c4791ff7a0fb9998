package dev.portcullis.authn;

import dev.portcullis.config.DnsLabel;
import java.util.Locale;
import java.util.Optional;

/**
 * Strict email addresses: exactly one '@', a non-empty local part without spaces, control characters,
 * quotes or angle brackets, and a domain that is a valid DNS name. Lower-cased, so comparison is exact.
 */
public final class Emails {
  private Emails() {}

  public static Optional<String> normalize(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String e = raw.trim().toLowerCase(Locale.ROOT);
    int at = e.indexOf('@');
    if (e.length() > 254 || at <= 0 || at != e.lastIndexOf('@') || at > 64) {
      return Optional.empty();
    }
    String local = e.substring(0, at);
    String domain = e.substring(at + 1);
    for (int i = 0; i < local.length(); i++) {
      char c = local.charAt(i);
      if (c <= 0x20 || c >= 0x7f || "\"<>()[]\\,;:".indexOf(c) >= 0) {
        return Optional.empty();
      }
    }
    if (local.startsWith(".") || local.endsWith(".") || local.contains("..") || !domain.contains(".")
        && !domain.equals("localhost") || !DnsLabel.validHostName(domain)) {
      return Optional.empty();
    }
    return Optional.of(e);
  }

  public static String domainOf(String normalizedEmail) {
    return normalizedEmail.substring(normalizedEmail.indexOf('@') + 1);
  }
}
