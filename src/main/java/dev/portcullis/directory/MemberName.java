package dev.portcullis.directory;

import dev.portcullis.authn.Emails;
import dev.portcullis.service.ValidationException;
import java.util.Locale;
import java.util.Optional;

/**
 * A directory member as IAM spells it: {@code user:EMAIL}, {@code serviceAccount:EMAIL} or
 * {@code group:EMAIL}. Parsing is strict (the prefix exactly as Google writes it, then an email that
 * {@link Emails} accepts, no spaces or control characters anywhere); the canonical form lower-cases the email.
 */
public record MemberName(Kind kind, String email) {
  /** Longest member string accepted: the longest prefix and the longest email. */
  public static final int MAX_LENGTH = "serviceAccount:".length() + Emails.MAX_LENGTH;

  public enum Kind {
    USER("user"), SERVICE_ACCOUNT("serviceAccount"), GROUP("group");

    private final String prefix;

    Kind(String prefix) {
      this.prefix = prefix;
    }

    /** The word before the ':', e.g. "serviceAccount". */
    public String prefix() {
      return prefix;
    }

    static Optional<Kind> ofPrefix(String prefix) {
      for (Kind k : values()) {
        if (k.prefix.equals(prefix)) {
          return Optional.of(k);
        }
      }
      return Optional.empty();
    }
  }

  /** The outcome of parsing: a member, or why the text is not one. */
  public sealed interface Parsed {
    record Valid(MemberName member) implements Parsed {}

    record Invalid(String reason) implements Parsed {}
  }

  public MemberName {
    if (kind == null || email == null || !Emails.normalize(email).map(email::equals).orElse(false)) {
      throw new IllegalArgumentException("not a lower-case email: " + quote(String.valueOf(email)));
    }
  }

  public static MemberName user(String email) {
    return of(Kind.USER, email);
  }

  public static MemberName serviceAccount(String email) {
    return of(Kind.SERVICE_ACCOUNT, email);
  }

  public static MemberName group(String email) {
    return of(Kind.GROUP, email);
  }

  /** A member of this kind; the email is checked and lower-cased. */
  public static MemberName of(Kind kind, String email) {
    return new MemberName(kind, Emails.normalize(email).orElseThrow(() ->
        new IllegalArgumentException(quote(String.valueOf(email)) + " is not an email address")));
  }

  public static Optional<MemberName> parse(String raw) {
    return parseOrExplain(raw) instanceof Parsed.Valid v ? Optional.of(v.member()) : Optional.empty();
  }

  /** The member, or a {@link ValidationException} on {@code field} that quotes the text and says what is wrong. */
  public static MemberName parse(String field, String raw) {
    return switch (parseOrExplain(raw)) {
      case Parsed.Valid v -> v.member();
      case Parsed.Invalid i -> throw new ValidationException(field, i.reason());
    };
  }

  /** Parses {@code raw}; an invalid text comes with a reason that quotes it and says how to write it. */
  public static Parsed parseOrExplain(String raw) {
    if (raw == null || raw.isEmpty()) {
      return invalid("is empty; write a member such as user:ana@example.com, serviceAccount:NAME@PROJECT"
          + ServiceAccountName.DOMAIN_SUFFIX + " or group:eng@example.com");
    }
    String q = quote(raw);
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (Character.isISOControl(c)) {
        return invalid(q + " contains a control character");
      }
      if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
        return invalid(q + " contains a space; remove it");
      }
    }
    if (raw.length() > MAX_LENGTH) {
      return invalid(q + " is longer than " + MAX_LENGTH + " characters");
    }
    int colon = raw.indexOf(':');
    if (colon < 0) {
      return invalid(q + " has no kind; write user:" + raw + ", serviceAccount:" + raw + " or group:" + raw);
    }
    String prefix = raw.substring(0, colon);
    Optional<Kind> kind = Kind.ofPrefix(prefix);
    if (kind.isEmpty()) {
      for (Kind k : Kind.values()) {
        if (k.prefix.equalsIgnoreCase(prefix)) {
          return invalid(q + " starts with '" + prefix + ":'; write it '" + k.prefix + ":'");
        }
      }
      return invalid(q + " has an unknown kind " + quote(prefix + ":") + "; the kinds are user:, "
          + "serviceAccount: and group:");
    }
    String email = raw.substring(colon + 1);
    Optional<String> why = Emails.whyInvalid(email);
    if (why.isPresent()) {
      return invalid(q + ": the email " + why.get());
    }
    return new Parsed.Valid(new MemberName(kind.get(), email.toLowerCase(Locale.ROOT)));
  }

  /** The canonical string, e.g. "user:ana@example.com". */
  public String canonical() {
    return kind.prefix + ":" + email;
  }

  @Override
  public String toString() {
    return canonical();
  }

  private static Parsed invalid(String reason) {
    return new Parsed.Invalid(reason);
  }

  /** The text in quotes for a message, with control and non-ASCII characters escaped and long text cut. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder("'");
    int n = Math.min(s.length(), 120);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c >= 0x7f) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    if (s.length() > n) {
      b.append("...");
    }
    return b.append('\'').toString();
  }
}
