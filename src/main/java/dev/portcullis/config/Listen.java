package dev.portcullis.config;

import java.util.Optional;

/** A host and port to bind, such as 127.0.0.1:8080 or [::1]:8080. Port 0 asks for a free port. */
public record Listen(String host, int port) {

  public static Optional<Listen> parse(String text) {
    String s = text.trim();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      return Optional.empty();
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      return Optional.empty();
    }
    if (host.isEmpty()) {
      return Optional.empty();
    }
    try {
      int port = Integer.parseInt(s.substring(colon + 1));
      return port < 0 || port > 65535 ? Optional.empty() : Optional.of(new Listen(host, port));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
