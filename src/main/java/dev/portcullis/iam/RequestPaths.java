package dev.portcullis.iam;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The normalized path that conditions see, as IAP normalizes it: percent-escapes decoded once, path
 * parameters ({@code ;...} up to the next '/') removed, empty, '.' and '..' segments resolved. Empty when
 * the path cannot be decoded (bad escapes, invalid UTF-8, NUL): conditions then count as false.
 */
public final class RequestPaths {
  private RequestPaths() {}

  public static Optional<String> normalize(String rawPath) {
    if (rawPath == null || !rawPath.startsWith("/")) {
      return Optional.empty();
    }
    Optional<String> decoded = decode(rawPath);
    if (decoded.isEmpty()) {
      return Optional.empty();
    }
    String p = decoded.get();
    Deque<String> segments = new ArrayDeque<>();
    String[] parts = p.split("/", -1);
    for (int i = 1; i < parts.length; i++) {
      String s = parts[i];
      int semi = s.indexOf(';');
      if (semi >= 0) {
        s = s.substring(0, semi);
      }
      if (s.isEmpty() || s.equals(".")) {
        continue;
      }
      if (s.equals("..")) {
        segments.pollLast();
        continue;
      }
      segments.addLast(s);
    }
    boolean trailingSlash = p.endsWith("/") && !segments.isEmpty();
    String out = "/" + String.join("/", segments) + (trailingSlash ? "/" : "");
    return Optional.of(out);
  }

  private static Optional<String> decode(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw.indexOf('\0') >= 0 ? Optional.empty() : Optional.of(raw);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          return Optional.empty();
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return Optional.empty();
        }
        int b = hi * 16 + lo;
        if (b == 0) {
          return Optional.empty();
        }
        bytes.write(b);
        i += 2;
      } else {
        int cp = raw.codePointAt(i);
        byte[] enc = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
        bytes.write(enc, 0, enc.length);
        i += Character.charCount(cp) - 1;
      }
    }
    try {
      return Optional.of(StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray())).toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }
}
