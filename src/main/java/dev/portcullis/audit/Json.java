package dev.portcullis.audit;

import java.time.Instant;

/**
 * Writes one JSON line straight into UTF-8 bytes, in a buffer that is reused from line to line: what the
 * writer thread seals (and hashes) once per event, so it avoids building a String first and encoding
 * it after. Strings are escaped as RFC 8259 requires and no more; an unpaired UTF-16 surrogate, which
 * UTF-8 cannot carry, is written as its {@code \\uXXXX} escape so the line keeps what the event held.
 *
 * <p>Not thread-safe: one per thread.
 */
final class Json {
  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final int initial;
  private final int keep;
  private byte[] buf;
  private int size;

  // The last second written by instant(), formatted, and the second it is.
  private long cachedSecond = Long.MIN_VALUE;
  private final byte[] cachedText = new byte[19];

  /** A buffer for one line. */
  Json() {
    this(2048, 64 << 10);
  }

  /**
   * @param initial the buffer's first size
   * @param keep the largest buffer {@link #reset} keeps; a larger one (a big admin event, a burst) is let go
   */
  Json(int initial, int keep) {
    this.initial = initial;
    this.keep = keep;
    this.buf = new byte[initial];
  }

  /** Empties the buffer, and lets go of a larger one than it keeps. */
  void reset() {
    size = 0;
    if (buf.length > keep) {
      buf = new byte[initial];
    }
  }

  /** Appends what another buffer holds. */
  Json append(Json other) {
    room(other.size);
    System.arraycopy(other.buf, 0, buf, size, other.size);
    size += other.size;
    return this;
  }

  /** Appends bytes written elsewhere (an event's fields, already encoded). */
  Json bytes(byte[] b) {
    return bytes(b, 0, b.length);
  }

  /** Appends part of an array. */
  Json bytes(byte[] b, int from, int length) {
    room(length);
    System.arraycopy(b, from, buf, size, length);
    size += length;
    return this;
  }

  /** A copy of what the buffer holds. */
  byte[] toBytes() {
    return java.util.Arrays.copyOf(buf, size);
  }

  int size() {
    return size;
  }

  byte[] buffer() {
    return buf;
  }

  /** Drops the last n bytes. */
  void cut(int n) {
    size -= n;
  }

  private void room(int n) {
    if (size + n > buf.length) {
      buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
    }
  }

  Json raw(char c) {
    room(1);
    buf[size++] = (byte) c;
    return this;
  }

  /** Text known to be ASCII that needs no escaping: names, punctuation, hex. */
  @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int) is exactly right for ASCII
  Json ascii(String s) {
    int n = s.length();
    room(n);
    s.getBytes(0, n, buf, size);
    size += n;
    return this;
  }

  Json number(long v) {
    if (v < 0) {
      return ascii(Long.toString(v));
    }
    int digits = 1;
    for (long rest = v / 10; rest != 0; rest /= 10) {
      digits++;
    }
    room(digits);
    for (int i = size + digits - 1; i >= size; i--) {
      buf[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    size += digits;
    return this;
  }

  /** JSON text written elsewhere (an encoded object), as UTF-8. */
  Json json(String text) {
    byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    room(b.length);
    System.arraycopy(b, 0, buf, size, b.length);
    size += b.length;
    return this;
  }

  /** A JSON string. */
  @SuppressWarnings("deprecation")
  Json string(String s) {
    int n = s.length();
    int clean = 0;
    while (clean < n) {
      char c = s.charAt(clean);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
        break;
      }
      clean++;
    }
    // Most values are plain ASCII: copied in one go.
    room(n * 6 + 2);
    buf[size++] = '"';
    s.getBytes(0, clean, buf, size);
    size += clean;
    for (int i = clean; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x80) {
        if (c == '"' || c == '\\') {
          buf[size++] = '\\';
        }
        buf[size++] = (byte) c;
      } else if (c < 0x20) {
        switch (c) {
          case '\n' -> escape('n');
          case '\r' -> escape('r');
          case '\t' -> escape('t');
          case '\b' -> escape('b');
          case '\f' -> escape('f');
          default -> unicodeEscape(c);
        }
      } else if (c < 0x800) {
        buf[size++] = (byte) (0xc0 | c >> 6);
        buf[size++] = (byte) (0x80 | c & 0x3f);
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        buf[size++] = (byte) (0xf0 | cp >> 18);
        buf[size++] = (byte) (0x80 | cp >> 12 & 0x3f);
        buf[size++] = (byte) (0x80 | cp >> 6 & 0x3f);
        buf[size++] = (byte) (0x80 | cp & 0x3f);
      } else if (Character.isSurrogate(c)) {
        unicodeEscape(c); // unpaired
      } else {
        buf[size++] = (byte) (0xe0 | c >> 12);
        buf[size++] = (byte) (0x80 | c >> 6 & 0x3f);
        buf[size++] = (byte) (0x80 | c & 0x3f);
      }
    }
    buf[size++] = '"';
    return this;
  }

  private void escape(char c) {
    buf[size++] = '\\';
    buf[size++] = (byte) c;
  }

  private void unicodeEscape(char c) {
    buf[size++] = '\\';
    buf[size++] = 'u';
    buf[size++] = HEX[c >> 12 & 0xf];
    buf[size++] = HEX[c >> 8 & 0xf];
    buf[size++] = HEX[c >> 4 & 0xf];
    buf[size++] = HEX[c & 0xf];
  }

  /** Bytes as lowercase hex. */
  Json hex(byte[] bytes) {
    return hex(bytes, bytes.length);
  }

  /** The first n bytes as lowercase hex. */
  Json hex(byte[] bytes, int n) {
    room(n * 2);
    for (int i = 0; i < n; i++) {
      byte b = bytes[i];
      buf[size++] = HEX[b >> 4 & 0xf];
      buf[size++] = HEX[b & 0xf];
    }
    return this;
  }

  /**
   * An instant, unquoted, exactly as {@link Instant#toString()} writes it (ISO-8601 UTC, the fraction in
   * groups of three digits, none when zero). The date and time of the last second written are kept:
   * events come many to the second, and formatting the whole instant each time would be a large part of
   * sealing one.
   */
  Json instant(Instant t) {
    long second = t.getEpochSecond();
    if (second != cachedSecond) {
      String whole = Instant.ofEpochSecond(second).toString();
      if (whole.length() != 20 || whole.charAt(19) != 'Z') {
        return ascii(t.toString()); // a year outside 0000..9999: rare enough to format in full
      }
      ascii(whole.substring(0, 19));
      System.arraycopy(buf, size - 19, cachedText, 0, 19);
      cachedSecond = second;
    } else {
      room(19);
      System.arraycopy(cachedText, 0, buf, size, 19);
      size += 19;
    }
    room(11);
    int nano = t.getNano();
    if (nano != 0) {
      buf[size++] = '.';
      int digits;
      int value;
      if (nano % 1_000_000 == 0) {
        digits = 3;
        value = nano / 1_000_000;
      } else if (nano % 1_000 == 0) {
        digits = 6;
        value = nano / 1_000;
      } else {
        digits = 9;
        value = nano;
      }
      for (int i = digits - 1; i >= 0; i--) {
        buf[size + i] = (byte) ('0' + value % 10);
        value /= 10;
      }
      size += digits;
    }
    buf[size++] = 'Z';
    return this;
  }

  /** What has been written, as a String (tests, and a field's name checked in a line). */
  @Override
  public String toString() {
    return new String(buf, 0, size, java.nio.charset.StandardCharsets.UTF_8);
  }
}
