package dev.portcullis.gateway;

import io.netty.handler.codec.DateFormatter;
import java.util.Date;

/** The current time as an HTTP Date (IMF-fixdate), formatted at most once a second. */
final class HttpDate {
  private record Stamp(long second, String text) {}

  private static volatile Stamp current = new Stamp(-1, "");

  private HttpDate() {}

  static String now() {
    long millis = System.currentTimeMillis();
    long second = millis / 1000;
    Stamp s = current;
    if (s.second() != second) {
      s = new Stamp(second, DateFormatter.format(new Date(second * 1000)));
      current = s;
    }
    return s.text();
  }
}
