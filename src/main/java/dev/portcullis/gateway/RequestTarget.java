package dev.portcullis.gateway;

import dev.portcullis.config.DnsLabel;
import dev.portcullis.config.IpRange;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Decides which host a request is for, refusing every ambiguity: no Host, two Hosts, an HTTP/2
 * :authority that disagrees with Host, or an absolute-form target naming another host. The host is
 * lower-cased, its port and trailing dot dropped, so routing compares one canonical form.
 */
public final class RequestTarget {

  /** The outcome: a normalized host and an origin-form path, or a reason to answer 400. */
  public record Result(String host, String originForm, String problem) {
    static Result bad(String problem) {
      return new Result(null, null, problem);
    }

    public boolean ok() {
      return problem == null;
    }
  }

  private RequestTarget() {}

  public static Result of(HttpServerRequest request) {
    List<String> hosts = request.headers().getAll("host");
    String host;
    if (request.version() == HttpVersion.HTTP_2) {
      String authority = request.authority() == null ? null : request.authority().toString();
      if (hosts.size() > 1) {
        return Result.bad("more than one Host header");
      }
      if (authority == null && hosts.isEmpty()) {
        return Result.bad("no :authority or Host");
      }
      if (authority != null && hosts.size() == 1 && !same(authority, hosts.get(0))) {
        return Result.bad(":authority and Host name different hosts");
      }
      host = authority != null ? authority : hosts.get(0);
    } else {
      if (hosts.isEmpty()) {
        return Result.bad("no Host header");
      }
      if (hosts.size() > 1) {
        return Result.bad("more than one Host header");
      }
      host = hosts.get(0);
    }
    String normalized = normalize(host);
    if (normalized == null) {
      return Result.bad("Host '" + printable(host) + "' is not a valid host name");
    }
    String uri = request.uri();
    String originForm = uri;
    if (!uri.startsWith("/")) {
      if (uri.equals("*") && request.method().name().equals("OPTIONS")) {
        return new Result(normalized, uri, null);
      }
      URI absolute;
      try {
        absolute = new URI(uri);
      } catch (URISyntaxException e) {
        return Result.bad("request target is not a valid URI");
      }
      if (absolute.getScheme() == null || absolute.getRawAuthority() == null
          || !(absolute.getScheme().equalsIgnoreCase("http") || absolute.getScheme().equalsIgnoreCase("https"))) {
        return Result.bad("request target must be a path or an http(s) URL");
      }
      if (absolute.getRawUserInfo() != null) {
        return Result.bad("request target must not carry user information");
      }
      String targetHost = normalize(absolute.getRawAuthority());
      if (!normalized.equals(targetHost)) {
        return Result.bad("request target names a host other than the Host header");
      }
      String path = absolute.getRawPath() == null || absolute.getRawPath().isEmpty() ? "/" : absolute.getRawPath();
      originForm = absolute.getRawQuery() == null ? path : path + "?" + absolute.getRawQuery();
    }
    return new Result(normalized, originForm, null);
  }

  private static boolean same(String a, String b) {
    String na = normalize(a);
    return na != null && na.equals(normalize(b));
  }

  /** Lower-case, without port or trailing dot; null when it is not a host name or IP literal. */
  static String normalize(String hostHeader) {
    if (hostHeader == null) {
      return null;
    }
    String h = hostHeader.trim();
    if (h.isEmpty() || h.contains("@")) {
      return null;
    }
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      if (close < 0 || !validPort(h.substring(close + 1), true)) {
        return null;
      }
      String literal = h.substring(0, close + 1);
      return IpRange.literal(literal).isPresent() ? literal.toLowerCase(Locale.ROOT) : null;
    }
    int colon = h.indexOf(':');
    if (colon >= 0) {
      if (!validPort(h.substring(colon), true)) {
        return null;
      }
      h = h.substring(0, colon);
    }
    h = h.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    return DnsLabel.validHostName(h) ? h : null;
  }

  private static boolean validPort(String suffix, boolean allowEmpty) {
    if (suffix.isEmpty()) {
      return allowEmpty;
    }
    if (!suffix.startsWith(":") || suffix.length() > 6 || suffix.length() == 1) {
      return false;
    }
    for (int i = 1; i < suffix.length(); i++) {
      if (!Character.isDigit(suffix.charAt(i))) {
        return false;
      }
    }
    return Integer.parseInt(suffix.substring(1)) <= 65535;
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
      if (b.length() > 100) {
        break;
      }
    }
    return b.toString();
  }

  /** An absolute-form target (already checked against Host) in origin form, as it is sent upstream. */
  static String originForm(String uri) {
    if (uri.startsWith("/") || uri.equals("*")) {
      return uri;
    }
    try {
      java.net.URI u = new java.net.URI(uri);
      String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
      return u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
    } catch (java.net.URISyntaxException e) {
      return "/";
    }
  }
}
