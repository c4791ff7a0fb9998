package dev.portcullis.audit;

/** Writes JSON strings into a StringBuilder, escaped as RFC 8259 requires (and no more). */
final class Json {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Json() {}

  static void string(StringBuilder out, String s) {
    out.append('"');
    int clean = 0;
    int n = s.length();
    while (clean < n) {
      char c = s.charAt(clean);
      if (c < 0x20 || c == '"' || c == '\\') {
        break;
      }
      clean++;
    }
    // Most values need no escaping: copied in one go.
    out.append(s, 0, clean);
    if (clean == n) {
      out.append('"');
      return;
    }
    for (int i = clean; i < n; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
