package dev.portcullis.gateway;

import java.util.ArrayList;
import java.util.List;

/**
 * Header names that do not cross the gateway, matched without lower-casing or hashing: every forwarded
 * exchange checks each of its headers here, so the test is a length switch and one comparison.
 */
final class HopByHop {
  private HopByHop() {}

  /**
   * Not copied onto an upstream request: hop-by-hop headers (RFC 9110 7.6.1, with vertx-http-proxy's list)
   * and Host, which the upstream request gets from the upstream's address.
   */
  static boolean requestSkips(String name) {
    return switch (name.length()) {
      case 2 -> name.equalsIgnoreCase("te");
      case 4 -> name.equalsIgnoreCase("host");
      case 7 -> name.equalsIgnoreCase("trailer") || name.equalsIgnoreCase("upgrade");
      case 10 -> name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
      case 16 -> name.equalsIgnoreCase("proxy-connection");
      case 17 -> name.equalsIgnoreCase("transfer-encoding");
      case 18 -> name.equalsIgnoreCase("proxy-authenticate");
      case 19 -> name.equalsIgnoreCase("proxy-authorization");
      default -> false;
    };
  }

  /**
   * Not copied onto a client's response: hop-by-hop headers, and the upstream's X-Request-Id (the gateway
   * has put its own on the response).
   */
  static boolean responseSkips(String name) {
    return switch (name.length()) {
      case 2 -> name.equalsIgnoreCase("te");
      case 7 -> name.equalsIgnoreCase("trailer") || name.equalsIgnoreCase("upgrade");
      case 10 -> name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
      case 12 -> name.equalsIgnoreCase("x-request-id");
      case 16 -> name.equalsIgnoreCase("proxy-connection");
      case 17 -> name.equalsIgnoreCase("transfer-encoding");
      default -> false;
    };
  }

  /** The header names listed in Connection header values. */
  static List<String> namedIn(List<String> connectionValues) {
    List<String> named = new ArrayList<>();
    for (String c : connectionValues) {
      for (String token : c.split(",")) {
        String t = token.trim();
        if (!t.isEmpty()) {
          named.add(t);
        }
      }
    }
    return named;
  }

  static boolean containsIgnoreCase(List<String> names, String name) {
    for (String n : names) {
      if (n.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }
}
