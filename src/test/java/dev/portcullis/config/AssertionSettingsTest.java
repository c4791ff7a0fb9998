package dev.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assertion settings and the master key: defaults, and one clear error per mistake, never the key. */
class AssertionSettingsTest {
  static final String KEY = MasterKey.generate().encoded();

  @TempDir Path dir;

  static ConfigException failure(Runnable load) {
    try {
      load.run();
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("expected a ConfigException");
  }

  @Test
  void defaults_issuerIsTheSignInHostOverHttps_andNoMasterKeyMeansTheGeneratedOne() {
    AssertionSettings a = ConfigLoader.load(Optional.empty(), Map.of(), Map.of("domain", "corp.example")).assertion();
    assertThat(a.issuer()).isEqualTo("https://auth.corp.example");
    assertThat(a.iapIssuer()).isEqualTo("https://auth.corp.example");
    assertThat(a.iapIdentityPrefix()).isEqualTo("accounts.google.com:");
    assertThat(a.masterKey()).isEmpty();
  }

  @Test
  void issuers_andPrefix_canBeSet() {
    AssertionSettings a = ConfigLoader.load(Optional.empty(), Map.of(), Map.of("assertion.issuer",
        "https://id.corp.example", "assertion.iap_issuer", "https://cloud.google.com/iap",
        "assertion.iap_identity_prefix", "")).assertion();
    assertThat(a.issuer()).isEqualTo("https://id.corp.example");
    assertThat(a.iapIssuer()).isEqualTo("https://cloud.google.com/iap");
    assertThat(a.iapIdentityPrefix()).isEmpty();
  }

  @Test
  void badIssuer_namesTheKey() {
    ConfigException e = failure(() -> ConfigLoader.load(Optional.empty(), Map.of(),
        Map.of("assertion.issuer", "auth.corp.example")));
    assertThat(e.key()).isEqualTo("assertion.issuer");
    assertThat(e.getMessage()).contains("not an issuer URL");
  }

  @Test
  void masterKey_fromTheVariable_orFromAFile() throws Exception {
    Path file = Files.writeString(dir.resolve("mk"), KEY + "\n");
    assertThat(ConfigLoader.load(Optional.empty(), Map.of("PORTCULLIS_MASTER_KEY", KEY), Map.of()).assertion()
        .masterKey()).isPresent();
    assertThat(ConfigLoader.load(Optional.empty(), Map.of(), Map.of("keys.master_key_file", file.toString()))
        .assertion().masterKey()).isPresent();
    assertThat(ConfigLoader.load(Optional.empty(), Map.of("PORTCULLIS_MASTER_KEY", KEY), Map.of()).toString())
        .doesNotContain(KEY).contains("MasterKey[redacted]");
  }

  @Test
  void masterKey_givenTwice_orMalformed_orEmpty_orUnreadable_isRefusedWithoutEchoingIt() throws Exception {
    Path file = Files.writeString(dir.resolve("mk"), KEY);
    Path shortKey = Files.writeString(dir.resolve("short"), "c2hvcnQ=");

    ConfigException twice = failure(() -> ConfigLoader.load(Optional.empty(), Map.of("PORTCULLIS_MASTER_KEY", KEY),
        Map.of("keys.master_key_file", file.toString())));
    ConfigException badVariable = failure(() -> ConfigLoader.load(Optional.empty(),
        Map.of("PORTCULLIS_MASTER_KEY", "not-base64-and-secret!"), Map.of()));
    ConfigException empty = failure(() -> ConfigLoader.load(Optional.empty(), Map.of("PORTCULLIS_MASTER_KEY", " "),
        Map.of()));
    ConfigException badFile = failure(() -> ConfigLoader.load(Optional.empty(), Map.of(),
        Map.of("keys.master_key_file", shortKey.toString())));
    ConfigException missing = failure(() -> ConfigLoader.load(Optional.empty(), Map.of(),
        Map.of("keys.master_key_file", dir.resolve("nope").toString())));

    assertThat(twice.key()).isEqualTo("keys.master_key_file");
    assertThat(twice.getMessage()).contains("one way only").doesNotContain(KEY);
    assertThat(badVariable.key()).isEqualTo("PORTCULLIS_MASTER_KEY");
    assertThat(badVariable.getMessage()).contains("openssl rand -base64 32").doesNotContain("not-base64-and-secret");
    assertThat(empty.key()).isEqualTo("PORTCULLIS_MASTER_KEY");
    assertThat(badFile.key()).isEqualTo("keys.master_key_file");
    assertThat(badFile.getMessage()).contains("does not hold a master key").doesNotContain("c2hvcnQ=");
    assertThat(missing.getMessage()).contains("cannot read");
  }
}
