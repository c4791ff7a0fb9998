package dev.portcullis.config;

/**
 * RFC 1123 host name labels: the shape of service names and of each part of a domain. Checked with a
 * plain scan rather than a regular expression because every proxied request's Host goes through it.
 */
public final class DnsLabel {
  private DnsLabel() {}

  /** One label: 1 to 63 of a-z, 0-9 and '-', not starting or ending with '-'. */
  public static boolean valid(String label) {
    return validLabel(label, 0, label.length());
  }

  /** A lower-case host name of one or more valid labels, no trailing dot, at most 253 characters. */
  public static boolean validHostName(String host) {
    int n = host.length();
    if (n == 0 || n > 253) {
      return false;
    }
    int start = 0;
    for (int i = 0; i <= n; i++) {
      if (i == n || host.charAt(i) == '.') {
        if (!validLabel(host, start, i)) {
          return false;
        }
        start = i + 1;
      }
    }
    return true;
  }

  private static boolean validLabel(String s, int from, int to) {
    int length = to - from;
    if (length < 1 || length > 63 || s.charAt(from) == '-' || s.charAt(to - 1) == '-') {
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return false;
      }
    }
    return true;
  }
}
