package dev.portcullis.iam;

import dev.portcullis.config.DnsLabel;
import dev.portcullis.directory.MemberName;
import java.util.Locale;

/**
 * A member of a binding, as Google IAM spells it: {@code user:EMAIL}, {@code group:EMAIL},
 * {@code domain:DOMAIN}, {@code serviceAccount:EMAIL}, {@code allAuthenticatedUsers}, {@code allUsers}.
 * Emails and domains are validated strictly and lower-cased, so equal members have equal {@link #key()}s.
 */
public sealed interface Member {
  /** The canonical string form, also the lookup key. */
  String key();

  record User(String email) implements Member {
    public String key() {
      return "user:" + email;
    }
  }

  record Group(String email) implements Member {
    public String key() {
      return "group:" + email;
    }
  }

  record ServiceAccount(String email) implements Member {
    public String key() {
      return "serviceAccount:" + email;
    }
  }

  record Domain(String domain) implements Member {
    public String key() {
      return "domain:" + domain;
    }
  }

  record AllAuthenticatedUsers() implements Member {
    public String key() {
      return "allAuthenticatedUsers";
    }
  }

  record AllUsers() implements Member {
    public String key() {
      return "allUsers";
    }
  }

  Member ALL_AUTHENTICATED_USERS = new AllAuthenticatedUsers();
  Member ALL_USERS = new AllUsers();

  /** Parses one member; the exception's message quotes it and says what is expected. */
  static Member parse(String raw) {
    if (raw == null || raw.isEmpty()) {
      throw new IllegalArgumentException("a member is empty: use user:EMAIL, group:EMAIL, serviceAccount:EMAIL, "
          + "domain:DOMAIN, allAuthenticatedUsers or allUsers");
    }
    if (raw.equals("allUsers")) {
      return ALL_USERS;
    }
    if (raw.equals("allAuthenticatedUsers")) {
      return ALL_AUTHENTICATED_USERS;
    }
    int colon = raw.indexOf(':');
    String kind = colon < 0 ? "" : raw.substring(0, colon);
    String value = colon < 0 ? "" : raw.substring(colon + 1);
    return switch (kind) {
      case "user", "group", "serviceAccount" -> switch (MemberName.parseOrExplain(raw)) {
        case MemberName.Parsed.Invalid i -> throw new IllegalArgumentException("member " + i.reason());
        case MemberName.Parsed.Valid v -> switch (v.member().kind()) {
          case USER -> new User(v.member().email());
          case GROUP -> new Group(v.member().email());
          case SERVICE_ACCOUNT -> new ServiceAccount(v.member().email());
        };
      };
      case "domain" -> new Domain(domain(raw, value));
      default -> throw new IllegalArgumentException("member '" + printable(raw) + "' has no known kind: use "
          + "user:EMAIL, group:EMAIL, serviceAccount:EMAIL, domain:DOMAIN, allAuthenticatedUsers or allUsers");
    };
  }

  private static String domain(String raw, String value) {
    String d = value.toLowerCase(Locale.ROOT);
    if (!d.contains(".") || !DnsLabel.validHostName(d)) {
      throw new IllegalArgumentException("member '" + printable(raw) + "' does not hold a valid domain "
          + "(such as domain:example.com)");
    }
    return d;
  }

  /** The member as given, with control characters shown as escapes so an error message stays one line. */
  static String printable(String raw) {
    StringBuilder b = new StringBuilder();
    raw.codePoints().limit(200).forEach(c -> {
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\u%04x", c));
      } else {
        b.appendCodePoint(c);
      }
    });
    return b.toString();
  }
}
