package dev.portcullis.authn.workload;

import dev.portcullis.iam.RequestPaths;
import java.util.List;
import java.util.Optional;

/**
 * IAP's audience rule for a service-account JWT: {@code aud} is the URL the caller requests, written
 * {@code scheme://host[:port]/path} as the client addresses Portcullis (host lower-case, no default port,
 * no query), or that with a {@code /*} wildcard ending, which grants every URL starting with what precedes
 * the {@code *}. So {@code https://dash.example.com/*} grants {@code https://dash.example.com/anything} but
 * not {@code https://dash.example.com.evil.test/}: the prefix keeps its '/'. A {@code *} anywhere else is
 * an ordinary character. The query string is never part of the comparison.
 *
 * <p>The path is compared twice, as sent and normalized ({@link RequestPaths}: decoded once, dot segments
 * resolved), and both must match, as IAP does for path conditions: {@code /public/../admin} is not under
 * {@code /public/*}. A path that cannot be normalized matches nothing.
 */
public final class Audiences {
  private Audiences() {}

  /**
   * @param origin {@code scheme://host[:port]} as the client reached us
   * @param rawPath the request's path as sent, without the query
   */
  public static boolean anyMatches(List<String> audiences, String origin, String rawPath) {
    Optional<String> normalized = RequestPaths.normalize(rawPath);
    if (normalized.isEmpty()) {
      return false;
    }
    String asSent = origin + rawPath;
    String resolved = origin + normalized.get();
    for (String aud : audiences) {
      if (aud != null && matches(aud, asSent) && matches(aud, resolved)) {
        return true;
      }
    }
    return false;
  }

  static boolean matches(String audience, String url) {
    if (audience.endsWith("/*")) {
      String prefix = audience.substring(0, audience.length() - 1);
      // A path wildcard only: "https://*" or "https:///*" grant nothing.
      int scheme = prefix.indexOf("://");
      return scheme > 0 && prefix.indexOf('/', scheme + 3) > scheme + 3 && url.startsWith(prefix);
    }
    return audience.equals(url);
  }
}
