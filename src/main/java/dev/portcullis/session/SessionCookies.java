package dev.portcullis.session;

import io.vertx.core.MultiMap;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Portcullis's cookies. All are host-only (no Domain), HttpOnly, SameSite=Lax and Path=/. Over HTTPS they
 * carry the {@code __Host-} prefix and Secure, so no other host or plain-HTTP page can set or read them;
 * on a plain-HTTP listener (local development) they go without both.
 */
public final class SessionCookies {
  /** The session cookie on the sign-in host and on each service host. */
  public static final String SESSION = "portcullis";
  /** Binds a sign-in started on a service host to the browser that started it. */
  public static final String SIGN_IN = "portcullis-signin";
  /** Binds an identity provider round trip to the browser (state and nonce). */
  public static final String LOGIN = "portcullis-login";
  /** Double-submit token for the sign-in form. */
  public static final String CSRF = "portcullis-csrf";

  private SessionCookies() {}

  public static String name(String base, boolean secure) {
    return secure ? "__Host-" + base : base;
  }

  public static String read(HttpServerRequest request, String base, boolean secure) {
    Cookie c = request.getCookie(name(base, secure));
    return c == null ? null : c.getValue();
  }

  public static void set(HttpServerResponse response, String base, String value, Duration maxAge, boolean secure) {
    response.addCookie(Cookie.cookie(name(base, secure), value)
        .setPath("/")
        .setHttpOnly(true)
        .setSecure(secure)
        .setSameSite(CookieSameSite.LAX)
        .setMaxAge(maxAge.toSeconds()));
  }

  public static void clear(HttpServerResponse response, String base, boolean secure) {
    response.addCookie(Cookie.cookie(name(base, secure), "")
        .setPath("/")
        .setHttpOnly(true)
        .setSecure(secure)
        .setSameSite(CookieSameSite.LAX)
        .setMaxAge(0));
  }

  /** Removes Portcullis's cookies from the Cookie headers an upstream will see; drops the header if empty. */
  public static void stripFromRequest(MultiMap headers) {
    List<String> values = headers.getAll("cookie");
    if (values.isEmpty() || values.stream().noneMatch(v -> v.contains("portcullis"))) {
      return;
    }
    List<String> kept = new ArrayList<>();
    for (String header : values) {
      for (String pair : header.split(";")) {
        String p = pair.trim();
        if (p.isEmpty()) {
          continue;
        }
        int eq = p.indexOf('=');
        String name = (eq < 0 ? p : p.substring(0, eq)).trim();
        if (!ours(name)) {
          kept.add(p);
        }
      }
    }
    headers.remove("cookie");
    if (!kept.isEmpty()) {
      headers.set("cookie", String.join("; ", kept));
    }
  }

  /**
   * Removes Set-Cookie headers with which an upstream would set one of Portcullis's cookies: an app must
   * not be able to plant a session (its own, signed in as someone else) in its users' browsers.
   */
  public static void stripFromResponse(MultiMap headers) {
    List<String> values = headers.getAll("set-cookie");
    if (values.isEmpty()) {
      return;
    }
    List<String> kept = new ArrayList<>();
    for (String v : values) {
      if (!setsOurs(v)) {
        kept.add(v);
      }
    }
    if (kept.size() != values.size()) {
      headers.remove("set-cookie");
      kept.forEach(v -> headers.add("set-cookie", v));
    }
  }

  /** Whether a Set-Cookie header value would set one of Portcullis's cookies. */
  public static boolean setsOurs(String setCookie) {
    int eq = setCookie.indexOf('=');
    return ours((eq < 0 ? setCookie : setCookie.substring(0, eq)).trim());
  }

  static boolean ours(String name) {
    String n = name.startsWith("__Host-") ? name.substring(7) : name;
    return n.equals(SESSION) || n.equals(SIGN_IN) || n.equals(LOGIN) || n.equals(CSRF);
  }
}
