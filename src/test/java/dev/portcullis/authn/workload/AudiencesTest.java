package dev.portcullis.authn.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** IAP's audience rule: the exact URL, or a {@code /*} path wildcard; the path as sent and normalized. */
class AudiencesTest {
  static boolean grants(String aud, String origin, String path) {
    return Audiences.anyMatches(List.of(aud), origin, path);
  }

  @Test
  void exactUrl_matchesOnlyThatUrl() {
    assertThat(grants("https://dash.example.com/reports", "https://dash.example.com", "/reports")).isTrue();
    assertThat(grants("https://dash.example.com/reports", "https://dash.example.com", "/reports/")).isFalse();
    assertThat(grants("https://dash.example.com/reports", "https://dash.example.com", "/report")).isFalse();
    assertThat(grants("https://dash.example.com/reports", "http://dash.example.com", "/reports")).isFalse();
    assertThat(grants("https://dash.example.com/reports", "https://dash.example.com:8443", "/reports")).isFalse();
  }

  @Test
  void wildcard_grantsEveryUrlUnderThePrefix_andNotALookalikeHost() {
    String aud = "https://dash.example.com/*";
    assertThat(grants(aud, "https://dash.example.com", "/")).isTrue();
    assertThat(grants(aud, "https://dash.example.com", "/a/b/c")).isTrue();
    assertThat(grants(aud, "https://dash.example.com.evil.test", "/")).isFalse();
    assertThat(grants(aud, "https://dash.example.com:444", "/")).isFalse();
    assertThat(grants(aud, "https://evil.test", "/https://dash.example.com/")).isFalse();
  }

  @Test
  void wildcard_onAPath_coversOnlyThatPathsChildren() {
    String aud = "https://dash.example.com/api/*";
    assertThat(grants(aud, "https://dash.example.com", "/api/items")).isTrue();
    assertThat(grants(aud, "https://dash.example.com", "/api")).isFalse();
    assertThat(grants(aud, "https://dash.example.com", "/apiary")).isFalse();
  }

  @Test
  void dotSegmentsAndEncodings_cannotEscapeTheWildcard() {
    String aud = "https://dash.example.com/api/*";
    assertThat(grants(aud, "https://dash.example.com", "/api/../admin")).isFalse();
    assertThat(grants(aud, "https://dash.example.com", "/api/%2e%2e/admin")).isFalse();
    assertThat(grants(aud, "https://dash.example.com", "/api/x/../y")).isTrue();
    assertThat(grants(aud, "https://dash.example.com", "/api/%zz")).isFalse();
  }

  @Test
  void aStarThatIsNotAPathWildcard_isAnOrdinaryCharacter() {
    assertThat(grants("https://*", "https://dash.example.com", "/")).isFalse();
    assertThat(grants("https:///*", "https://dash.example.com", "/")).isFalse();
    assertThat(grants("https://dash.example.com*", "https://dash.example.com", "/")).isFalse();
    assertThat(grants("https://dash.example.com/a*", "https://dash.example.com", "/ab")).isFalse();
    assertThat(grants("*", "https://dash.example.com", "/")).isFalse();
  }

  @Test
  void queryStrings_areNeverCompared() {
    assertThat(grants("https://dash.example.com/r?x=1", "https://dash.example.com", "/r")).isFalse();
  }
}
