package dev.portcullis.service;

import java.util.Optional;

/** Etags are opaque to clients; inside they are the row's version number. */
public final class Etags {
  private Etags() {}

  public static String of(long version) {
    return "v" + version;
  }

  public static Optional<Long> version(String etag) {
    if (etag == null) {
      return Optional.empty();
    }
    String e = etag.trim();
    if (e.startsWith("W/")) {
      e = e.substring(2);
    }
    if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
      e = e.substring(1, e.length() - 1);
    }
    if (!e.matches("v\\d{1,18}")) {
      return Optional.empty();
    }
    return Optional.of(Long.parseLong(e.substring(1)));
  }
}
