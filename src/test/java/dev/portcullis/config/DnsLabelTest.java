package dev.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-rolled scan accepts exactly what the RFC 1123 label expression accepts. */
class DnsLabelTest {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private static boolean byExpression(String host) {
    if (host.isEmpty() || host.length() > 253) {
      return false;
    }
    for (String label : host.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return true;
  }

  @Test
  void examples() {
    assertThat(DnsLabel.valid("dash")).isTrue();
    assertThat(DnsLabel.valid("a")).isTrue();
    assertThat(DnsLabel.valid("a-1")).isTrue();
    assertThat(DnsLabel.valid("-a")).isFalse();
    assertThat(DnsLabel.valid("a-")).isFalse();
    assertThat(DnsLabel.valid("Dash")).isFalse();
    assertThat(DnsLabel.valid("")).isFalse();
    assertThat(DnsLabel.valid("a".repeat(63))).isTrue();
    assertThat(DnsLabel.valid("a".repeat(64))).isFalse();
    assertThat(DnsLabel.validHostName("bench.localhost")).isTrue();
    assertThat(DnsLabel.validHostName("bench.localhost.")).isFalse();
    assertThat(DnsLabel.validHostName(".bench")).isFalse();
    assertThat(DnsLabel.validHostName("a..b")).isFalse();
    assertThat(DnsLabel.validHostName("a_b.example")).isFalse();
    assertThat(DnsLabel.validHostName((("a".repeat(63) + ".").repeat(4)).substring(0, 253))).isTrue();
    assertThat(DnsLabel.validHostName("a.".repeat(127))).isFalse();
  }

  @Test
  void agreesWithTheExpressionOnRandomInput() {
    Random random = new Random(42);
    String alphabet = "ab09-.A_ \u00e9";
    for (int i = 0; i < 200_000; i++) {
      int length = random.nextInt(i % 1000 == 0 ? 300 : 12);
      StringBuilder b = new StringBuilder();
      for (int j = 0; j < length; j++) {
        b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String s = b.toString();
      assertThat(DnsLabel.validHostName(s)).as("'%s'", s).isEqualTo(byExpression(s));
      assertThat(DnsLabel.valid(s)).as("label '%s'", s).isEqualTo(LABEL.matcher(s).matches());
    }
  }
}
