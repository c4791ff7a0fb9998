package dev.portcullis.authn.oidc;

import java.util.regex.Pattern;

/** Values from a token that may go into a message: only short, plain ones, so no log line can be forged. */
final class Printable {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._+@-]{1,100}");

  private Printable() {}

  static String of(Object value) {
    String s = String.valueOf(value);
    return PLAIN.matcher(s).matches() ? s : "(unprintable)";
  }
}
