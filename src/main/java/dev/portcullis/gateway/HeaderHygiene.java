package dev.portcullis.gateway;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a client may not say to an upstream. Identity headers (ours, Google IAP's, oauth2-proxy's and
 * the Remote-* family) are removed on every route whatever their case, count or underscore spelling
 * (Portcullis sets its own afterwards, for IAP services only), hop-by-hop headers are
 * removed as RFC 9110 says (including those named in Connection), and forwarding headers are rebuilt
 * from what Portcullis saw itself unless the peer is a trusted proxy.
 */
public final class HeaderHygiene {
  private static final List<String> IDENTITY_PREFIXES = List.of("x-portcullis-", "x-goog-", "x-auth-request-", "remote-");
  private static final Set<String> IDENTITY_NAMES = Set.of("x-forwarded-user", "x-forwarded-email",
      "x-forwarded-groups", "x-forwarded-preferred-username", "x-forwarded-access-token", "x-serverless-authorization");
  /**
   * Hop-by-hop headers. Connection, Upgrade and Transfer-Encoding are left for the proxy, which drops
   * them itself and needs them to frame the body and to recognise a WebSocket upgrade.
   */
  private static final Set<String> HOP_BY_HOP = Set.of("keep-alive", "proxy-connection", "te", "trailer", "expect",
      "proxy-authorization");

  private HeaderHygiene() {}

  /** Removes what no upstream may receive from a client. */
  static void stripInbound(MultiMap headers, boolean trustedPeer) {
    List<String> remove = new ArrayList<>();
    // Entries rather than names(): names() builds a sorted set on every request.
    for (Map.Entry<String, String> header : headers) {
      String name = header.getKey();
      // Underscores count as hyphens: CGI, WSGI, Rack and PHP read X_Goog_Authenticated_User_Email and
      // X-Goog-Authenticated-User-Email as the same variable, so either spelling would impersonate.
      String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
      if (IDENTITY_NAMES.contains(n) || startsWithAny(n, IDENTITY_PREFIXES) || HOP_BY_HOP.contains(n)) {
        remove.add(name);
      } else if (!trustedPeer && (n.startsWith("x-forwarded-") || n.equals("forwarded") || n.equals("x-real-ip")
          || n.equals("x-request-id"))) {
        remove.add(name);
      }
    }
    List<String> connection = headers.contains("connection") ? headers.getAll("connection") : List.of();
    for (String c : connection) {
      for (String token : c.split(",")) {
        String t = token.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty() && !t.equals("upgrade") && !t.equals("close") && !t.equals("keep-alive")) {
          remove.add(t);
        }
      }
    }
    remove.forEach(headers::remove);
  }

  private static boolean startsWithAny(String n, List<String> prefixes) {
    for (String p : prefixes) {
      if (n.startsWith(p)) {
        return true;
      }
    }
    return false;
  }
}
