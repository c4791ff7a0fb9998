package dev.portcullis.gateway;

/**
 * What the gateway has established about one request before deciding on it: its id, the normalized host
 * and the port the client used, the client's address, and whether the client connected over HTTPS
 * (directly or, from a trusted proxy, as X-Forwarded-Proto says).
 */
public record Exchange(String requestId, String host, int port, String clientIp, boolean secure, long startNanos) {

  /** scheme://host[:port] as the client reached us. */
  public String origin() {
    String scheme = secure ? "https" : "http";
    boolean defaultPort = port < 0 || (secure && port == 443) || (!secure && port == 80);
    return scheme + "://" + host + (defaultPort ? "" : ":" + port);
  }

  /** The same origin on another host (the sign-in host), keeping scheme and port. */
  public String originOf(String otherHost) {
    return new Exchange(requestId, otherHost, port, clientIp, secure, startNanos).origin();
  }
}
