package dev.portcullis.gateway;

import dev.portcullis.config.IpRange;
import java.util.List;
import java.util.Optional;

/**
 * Who the client really is. X-Forwarded-For is believed only when the direct peer is a configured
 * trusted proxy, and then read from the right, skipping further trusted proxies: the first address that
 * is not one of ours is the client. A left-most value is never taken on faith.
 */
public final class ClientAddress {
  private final List<IpRange> trustedProxies;

  public ClientAddress(List<IpRange> trustedProxies) {
    this.trustedProxies = trustedProxies;
  }

  public boolean trusted(String peer) {
    if (trustedProxies.isEmpty() || peer == null) {
      return false;
    }
    Optional<byte[]> bytes = IpRange.literal(peer);
    return bytes.isPresent() && IpRange.anyContains(trustedProxies, bytes.get());
  }

  /** The client's address given the direct peer and all X-Forwarded-For header values in order. */
  public String resolve(String peer, List<String> forwardedFor) {
    if (!trusted(peer) || forwardedFor.isEmpty()) {
      return peer;
    }
    String client = peer;
    for (int h = forwardedFor.size() - 1; h >= 0; h--) {
      String[] hops = forwardedFor.get(h).split(",");
      for (int i = hops.length - 1; i >= 0; i--) {
        String hop = stripPort(hops[i].trim());
        if (IpRange.literal(hop).isEmpty()) {
          return client;
        }
        client = hop;
        if (!trusted(hop)) {
          return hop;
        }
      }
    }
    return client;
  }

  private static String stripPort(String hop) {
    if (hop.startsWith("[")) {
      int close = hop.indexOf(']');
      return close > 0 ? hop.substring(1, close) : hop;
    }
    int colon = hop.indexOf(':');
    if (colon > 0 && hop.indexOf(':', colon + 1) < 0) {
      return hop.substring(0, colon);
    }
    return hop;
  }
}
