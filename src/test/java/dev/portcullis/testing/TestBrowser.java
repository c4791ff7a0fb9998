package dev.portcullis.testing;

import io.netty.handler.codec.http.cookie.ClientCookieDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A small scripted browser for end-to-end tests: one cookie jar per host name (host-only cookies, as
 * Portcullis sets them), no automatic redirects, and every request sent to 127.0.0.1 with the Host header
 * taken from the URL, since {@code *.localhost} does not resolve in Java. It speaks HTTP/1.1 over a plain
 * socket, one request per connection. Navigations carry the headers
 * a real browser sends for them (Accept text/html, Sec-Fetch-Mode navigate).
 */
public final class TestBrowser {
  public static final String NAVIGATION_ACCEPT =
      "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

  private final Map<String, Map<String, String>> jar = new LinkedHashMap<>();
  private final Map<String, String> always = new LinkedHashMap<>();

  public TestBrowser() {}

  /** Sends this header with every request, as a proxy in front of Portcullis would add it. */
  public TestBrowser always(String name, String value) {
    always.put(name, value);
    return this;
  }

  /** What came back, with the body read whole. */
  public record Response(int status, MultiMap headers, String body) {
    public String location() {
      return headers.get("location");
    }

    public JsonObject json() {
      return new JsonObject(body);
    }

    public List<Cookie> setCookies() {
      return headers.getAll("set-cookie").stream().map(ClientCookieDecoder.LAX::decode).toList();
    }

    /** The Set-Cookie for this name, if the response set or cleared it. */
    public Optional<Cookie> setCookie(String name) {
      return setCookies().stream().filter(c -> c.name().equals(name)).reduce((a, b) -> b);
    }

    /** True when the response set a cookie with this name to a non-empty value. */
    public boolean sets(String name) {
      return setCookie(name).filter(c -> !c.value().isEmpty() && c.maxAge() != 0).isPresent();
    }

    /** The value of a hidden form field in an HTML page. */
    public Optional<String> formField(String name) {
      Matcher m = Pattern.compile("name=\"" + Pattern.quote(name) + "\" value=\"([^\"]*)\"").matcher(body);
      return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
  }

  /** A page navigation, as when the user types a URL or follows a link. */
  public Response navigate(String url) {
    return send(HttpMethod.GET, url, Map.of("accept", NAVIGATION_ACCEPT, "sec-fetch-mode", "navigate",
        "sec-fetch-dest", "document"), null);
  }

  /** Follows a redirect as a navigation. */
  public Response follow(Response redirect) {
    if (redirect.status() / 100 != 3 || redirect.location() == null) {
      throw new AssertionError("not a redirect: " + redirect.status() + " " + redirect.body());
    }
    return navigate(redirect.location());
  }

  /** Follows redirects (at most ten) and returns the first response that is not one. */
  public Response followAll(Response r) {
    for (int i = 0; i < 10 && r.status() / 100 == 3; i++) {
      r = follow(r);
    }
    return r;
  }

  /** Submits an HTML form as a browser does from a page of the same origin. */
  public Response submit(String url, Map<String, String> fields) {
    URI u = URI.create(url);
    String origin = u.getScheme() + "://" + u.getRawAuthority();
    return post(url, fields, Map.of("origin", origin, "sec-fetch-site", "same-origin", "sec-fetch-mode", "navigate",
        "accept", NAVIGATION_ACCEPT));
  }

  /** A form-urlencoded POST with exactly the extra headers given. */
  public Response post(String url, Map<String, String> fields, Map<String, String> headers) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put("content-type", "application/x-www-form-urlencoded");
    return send(HttpMethod.POST, url, h, form(fields));
  }

  public static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  /** Sends a request for an absolute URL, with this browser's cookies for its host. */
  public Response send(HttpMethod method, String url, Map<String, String> headers, String body) {
    // Split by hand rather than with java.net.URI, so that tests can send targets it would refuse.
    int start = url.indexOf("://") + 3;
    int slash = url.indexOf('/', start);
    int query = url.indexOf('?', start);
    int end = slash < 0 ? (query < 0 ? url.length() : query) : (query < 0 ? slash : Math.min(slash, query));
    String target = url.substring(end);
    return raw(method, url.substring(start, end), target.startsWith("/") ? target : "/" + target, headers, body);
  }

  /**
   * Sends a request with the request target exactly as given (it need not be a valid URI), to the port
   * in {@code authority}, with the cookies for its host. One connection per request, over a plain socket,
   * so that what is sent is exactly what is written here.
   */
  public Response raw(HttpMethod method, String authority, String target, Map<String, String> headers, String body) {
    String host = hostName(authority);
    int colon = authority.lastIndexOf(':');
    int port = colon < 0 ? 80 : Integer.parseInt(authority.substring(colon + 1));
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder(method.name()).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("host: ").append(authority).append("\r\n");
    always.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    String cookies = cookieHeader(host);
    if (!cookies.isEmpty() && !headers.containsKey("cookie")) {
      head.append("cookie: ").append(cookies).append("\r\n");
    }
    if (body != null) {
      head.append("content-length: ").append(content.length).append("\r\n");
    }
    head.append("connection: close\r\n\r\n");
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.UTF_8));
      out.write(content);
      out.flush();
      Response r = read(socket.getInputStream(), method == HttpMethod.HEAD);
      store(host, r);
      return r;
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + authority + target + " failed: " + e, e);
    }
  }

  private static Response read(InputStream in, boolean head) throws IOException {
    byte[] all = in.readAllBytes();
    int split = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    if (split < 0) {
      throw new IOException("no complete response head in " + all.length + " bytes");
    }
    String[] lines = new String(all, 0, split, StandardCharsets.ISO_8859_1).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (int i = 1; i < lines.length; i++) {
      int c = lines[i].indexOf(':');
      headers.add(lines[i].substring(0, c).trim(), lines[i].substring(c + 1).trim());
    }
    byte[] rest = java.util.Arrays.copyOfRange(all, split + 4, all.length);
    if (head) {
      rest = new byte[0];
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      rest = dechunk(rest);
    } else if (headers.contains("content-length")) {
      rest = java.util.Arrays.copyOf(rest, Integer.parseInt(headers.get("content-length")));
    }
    return new Response(status, headers, new String(rest, StandardCharsets.UTF_8));
  }

  private static byte[] dechunk(byte[] in) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int i = 0;
    while (i < in.length) {
      int eol = indexOf(java.util.Arrays.copyOfRange(in, i, in.length), "\r\n".getBytes(StandardCharsets.US_ASCII));
      String size = new String(in, i, eol, StandardCharsets.US_ASCII);
      int n = Integer.parseInt(size.contains(";") ? size.substring(0, size.indexOf(';')) : size.trim(), 16);
      if (n == 0) {
        break;
      }
      out.write(in, i + eol + 2, n);
      i += eol + 2 + n + 2;
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = 0; i + pattern.length <= data.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private void store(String host, Response r) {
    for (Cookie c : r.setCookies()) {
      Map<String, String> cookies = jar.computeIfAbsent(host, h -> new LinkedHashMap<>());
      if (c.maxAge() == 0 || c.value().isEmpty()) {
        cookies.remove(c.name());
      } else {
        cookies.put(c.name(), c.value());
      }
    }
  }

  private String cookieHeader(String host) {
    return jar.getOrDefault(host, Map.of()).entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; "));
  }

  public Optional<String> cookie(String hostOrAuthority, String name) {
    return Optional.ofNullable(jar.getOrDefault(hostName(hostOrAuthority), Map.of()).get(name));
  }

  public void setCookie(String hostOrAuthority, String name, String value) {
    jar.computeIfAbsent(hostName(hostOrAuthority), h -> new LinkedHashMap<>()).put(name, value);
  }

  public void removeCookie(String hostOrAuthority, String name) {
    jar.getOrDefault(hostName(hostOrAuthority), new LinkedHashMap<>()).remove(name);
  }

  /** A copy of the cookies this browser holds for a host. */
  public Map<String, String> cookies(String hostOrAuthority) {
    return new LinkedHashMap<>(jar.getOrDefault(hostName(hostOrAuthority), Map.of()));
  }

  public List<String> hosts() {
    return new ArrayList<>(jar.keySet());
  }

  private static String hostName(String authority) {
    String a = authority.contains("://") ? URI.create(authority).getRawAuthority() : authority;
    int colon = a.lastIndexOf(':');
    return (colon < 0 ? a : a.substring(0, colon)).toLowerCase(Locale.ROOT);
  }

  public void close() {}
}
