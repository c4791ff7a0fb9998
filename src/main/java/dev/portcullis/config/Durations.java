package dev.portcullis.config;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them in config and on the command line: 500ms, 30s, 5m, 1h. */
public final class Durations {
  private static final Pattern FORM = Pattern.compile("(\\d{1,9})(\\.\\d{1,3})?(ms|s|m|h)");

  private Durations() {}

  public static Optional<Duration> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = FORM.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    long whole = Long.parseLong(m.group(1));
    String fraction = m.group(2) == null ? "" : m.group(2).substring(1);
    long fractionMillis = fraction.isEmpty() ? 0 : Long.parseLong((fraction + "00").substring(0, 3));
    Duration unit = switch (m.group(3)) {
      case "ms" -> Duration.ofNanos(1_000_000);
      case "s" -> Duration.ofSeconds(1);
      case "m" -> Duration.ofMinutes(1);
      default -> Duration.ofHours(1);
    };
    if (unit.toMillis() == 1 && fractionMillis != 0) {
      return Optional.empty();
    }
    return Optional.of(unit.multipliedBy(whole).plus(unit.multipliedBy(fractionMillis).dividedBy(1000)));
  }

  /** Google's JSON form of a duration: seconds with an "s" suffix, e.g. "30s" or "0.5s". */
  public static String format(Duration d) {
    long millis = d.toMillis();
    if (millis % 1000 == 0) {
      return (millis / 1000) + "s";
    }
    return String.format(java.util.Locale.ROOT, "%d.%03ds", millis / 1000, millis % 1000).replaceAll("0+s$", "s");
  }
}
