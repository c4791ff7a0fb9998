package dev.portcullis.gateway;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** Request ids: 128 random bits in hex. A trusted proxy's own id is kept when it looks like one. */
final class RequestIds {
  private static final Pattern ACCEPTABLE = Pattern.compile("[A-Za-z0-9._:-]{8,128}");
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  static String next() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long a = r.nextLong();
    long b = r.nextLong();
    char[] out = new char[32];
    for (int i = 0; i < 16; i++) {
      out[15 - i] = HEX[(int) (a >>> (i * 4)) & 0xf];
      out[31 - i] = HEX[(int) (b >>> (i * 4)) & 0xf];
    }
    return new String(out);
  }

  static boolean acceptable(String id) {
    return id != null && ACCEPTABLE.matcher(id).matches();
  }
}
