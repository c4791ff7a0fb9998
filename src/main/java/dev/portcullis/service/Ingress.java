package dev.portcullis.service;

import java.util.Locale;
import java.util.Optional;

/** Which clients may reach a service at all, before any identity check (Cloud Run's ingress setting). */
public enum Ingress {
  /** Any client. */
  ALL,
  /** Only clients whose address is in the configured internal networks. */
  INTERNAL;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Ingress> parse(String s) {
    for (Ingress i : values()) {
      if (i.wireName().equals(s)) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }
}
