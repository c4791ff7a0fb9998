package dev.portcullis.testing;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.x over a plain socket, for requests whose exact bytes matter (several Host headers, absolute-form
 * targets, header case and repetition) and that a real client would tidy up. Requests are written as given;
 * the response is read by its framing (Content-Length, chunked, or to the end of the connection).
 */
public final class RawHttp {
  private RawHttp() {}

  /** A parsed response: status, header lines in order with their names lower-cased, and the body. */
  public record Reply(String statusLine, int status, List<String[]> headerLines, byte[] body) {
    public String header(String name) {
      for (String[] h : headerLines) {
        if (h[0].equals(name.toLowerCase(Locale.ROOT))) {
          return h[1];
        }
      }
      return null;
    }

    public List<String> headers(String name) {
      List<String> all = new ArrayList<>();
      for (String[] h : headerLines) {
        if (h[0].equals(name.toLowerCase(Locale.ROOT))) {
          all.add(h[1]);
        }
      }
      return all;
    }

    public List<String> headerNames() {
      return headerLines.stream().map(h -> h[0]).toList();
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonObject json() {
      return new JsonObject(bodyText());
    }
  }

  /** Sends {@code request} (lines joined with CRLF, ending with an empty line) and reads one response. */
  public static Reply send(int port, String... lines) throws IOException {
    return sendBytes(port, (String.join("\r\n", lines) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
  }

  public static Reply sendBytes(int port, byte[] request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      return read(socket.getInputStream());
    }
  }

  /** Reads one response from the stream; the body is read to its framed end. */
  public static Reply read(InputStream in) throws IOException {
    Reply head = readHead(in);
    int status = head.status();
    List<String[]> headers = head.headerLines();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String length = head.header("content-length");
    String te = head.header("transfer-encoding");
    if (status == 101 || status == 204 || status == 304) {
      // no body
    } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      for (String size = line(in); size != null; size = line(in)) {
        int n = Integer.parseInt(size.split(";")[0].trim(), 16);
        if (n == 0) {
          while (true) {
            String trailer = line(in);
            if (trailer == null || trailer.isEmpty()) {
              break;
            }
          }
          break;
        }
        body.write(in.readNBytes(n));
        line(in);
      }
    } else if (length != null) {
      body.write(in.readNBytes(Integer.parseInt(length)));
    } else {
      in.transferTo(body);
    }
    return new Reply(head.statusLine(), status, headers, body.toByteArray());
  }

  /** Reads a response's status line and headers, leaving the stream at the start of the body. */
  public static Reply readHead(InputStream in) throws IOException {
    String statusLine = line(in);
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    String[] parts = statusLine.split(" ", 3);
    int status = Integer.parseInt(parts[1]);
    List<String[]> headers = new ArrayList<>();
    for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
      int colon = l.indexOf(':');
      headers.add(new String[] {l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim()});
    }
    return new Reply(statusLine, status, headers, new byte[0]);
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int len = b.length();
        return len > 0 && b.charAt(len - 1) == '\r' ? b.substring(0, len - 1) : b.toString();
      }
      b.append((char) c);
    }
    return b.isEmpty() ? null : b.toString();
  }
}
