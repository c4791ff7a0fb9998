package dev.portcullis.config;

import java.util.regex.Pattern;

/** RFC 1123 host name labels: the shape of service names and of each part of a domain. */
public final class DnsLabel {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private DnsLabel() {}

  public static boolean valid(String label) {
    return LABEL.matcher(label).matches();
  }

  /** A lower-case host name of one or more valid labels, no trailing dot, at most 253 characters. */
  public static boolean validHostName(String host) {
    if (host.isEmpty() || host.length() > 253) {
      return false;
    }
    for (String label : host.split("\\.", -1)) {
      if (!valid(label)) {
        return false;
      }
    }
    return true;
  }
}
