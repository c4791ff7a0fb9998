package dev.portcullis.console;

import dev.portcullis.session.Tokens;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Cross-site request forgery checks for the console's API calls. Every call must come from the console's
 * own pages: same origin by Sec-Fetch-Site and Origin when the browser sends them, and always with the
 * per-session token the page was given. The token is a one-way hash of the session cookie, so nothing
 * has to be stored for it and it ends with the session; knowing it does not reveal the cookie.
 */
final class ConsoleCsrf {
  static final String HEADER = "x-portcullis-csrf";

  private ConsoleCsrf() {}

  static String tokenFor(String sessionCookie) {
    return Tokens.hash("console-csrf:" + sessionCookie);
  }

  /** Null when the request passes; else why it was refused, for the error body. */
  static String problem(HttpServerRequest req, String sessionCookie, String host) {
    String fetchSite = req.getHeader("sec-fetch-site");
    if (fetchSite != null && !fetchSite.equals("same-origin")) {
      return "the console's API answers only the console's own pages (Sec-Fetch-Site: " + fetchSite + ")";
    }
    String origin = req.getHeader("origin");
    if (origin != null) {
      String originHost = hostOf(origin);
      if (originHost == null || !originHost.equals(host)) {
        return "the console's API answers only the console's own pages (Origin: " + origin + ")";
      }
    }
    String given = req.getHeader(HEADER);
    String expected = tokenFor(sessionCookie);
    if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.US_ASCII),
        expected.getBytes(StandardCharsets.US_ASCII))) {
      return "the console's token is missing or stale; reload the page";
    }
    return null;
  }

  private static String hostOf(String origin) {
    try {
      String h = new URI(origin).getHost();
      return h == null ? null : h.toLowerCase(Locale.ROOT);
    } catch (URISyntaxException e) {
      return null;
    }
  }
}
