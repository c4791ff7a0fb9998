package dev.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {
  @TempDir Path dir;

  Path yaml(String text) throws IOException {
    return Files.writeString(dir.resolve("portcullis.yaml"), text);
  }

  static ConfigException failure(Runnable load) {
    try {
      load.run();
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("expected a ConfigException");
  }

  @Test
  void defaults_withNothingGiven() {
    Settings s = ConfigLoader.load(Optional.empty(), Map.of(), Map.of());

    assertThat(s.listen()).isEqualTo(new Listen("127.0.0.1", 8080));
    assertThat(s.adminListen()).isEqualTo(new Listen("127.0.0.1", 8081));
    assertThat(s.domain()).isEqualTo("localhost");
    assertThat(s.dataDir()).isEqualTo(Path.of("./portcullis-data"));
    assertThat(s.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.trustedProxies()).isEmpty();
    assertThat(s.demoEnabled()).isTrue();
    assertThat(s.tls()).isFalse();
  }

  @Test
  void precedence_fileThenEnvironmentThenFlags() throws IOException {
    Path file = yaml("""
        listen: 127.0.0.1:1001
        admin:
          listen: 127.0.0.1:2001
        domain: file.example
        shutdown.timeout: 10s
        trusted_proxies: [10.0.0.0/8, 192.168.0.0/16]
        """);
    Map<String, String> env = Map.of(
        "PORTCULLIS_LISTEN", "127.0.0.1:1002",
        "PORTCULLIS_ADMIN_LISTEN", "127.0.0.1:2002",
        "PORTCULLIS_DEMO_ENABLED", "false",
        "HOME", "/root");
    Map<String, String> flags = new HashMap<>();
    flags.put("listen", "127.0.0.1:1003");
    flags.put("domain", null);

    Settings s = ConfigLoader.load(Optional.of(file), env, flags);

    assertThat(s.listen().port()).as("flag over environment").isEqualTo(1003);
    assertThat(s.adminListen().port()).as("environment over file").isEqualTo(2002);
    assertThat(s.domain()).as("file over default; an absent flag changes nothing").isEqualTo("file.example");
    assertThat(s.shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.trustedProxies()).hasSize(2);
    assertThat(s.demoEnabled()).isFalse();
    assertThat(s.connectTimeout()).as("default").isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void clientVariables_areNotServerSettings() {
    Settings s = ConfigLoader.load(Optional.empty(), Map.of(
        "PORTCULLIS_ADMIN_URL", "http://127.0.0.1:9",
        "PORTCULLIS_ADMIN_TOKEN", "t",
        "PORTCULLIS_CONFIG", "/nonexistent.yaml",
        "PORTCULLIS_JAVA_OPTS", "-Xmx1g"), Map.of());

    assertThat(s.listen().port()).isEqualTo(8080);
  }

  @Test
  void unknownKeyInFile_namesTheKeyAndTheKnownOnes() throws IOException {
    Path file = yaml("listen: 127.0.0.1:8080\nlisten_port: 9000\n");

    ConfigException e = failure(() -> ConfigLoader.load(Optional.of(file), Map.of(), Map.of()));

    assertThat(e.key()).isEqualTo("listen_port");
    assertThat(e.getMessage()).startsWith("listen_port: unknown").contains("admin.listen").contains("shutdown.timeout");
  }

  @Test
  void unknownNestedKeyInFile_namesTheDottedKey() throws IOException {
    Path file = yaml("admin:\n  listen: 127.0.0.1:8081\n  token: x\n");

    ConfigException e = failure(() -> ConfigLoader.load(Optional.of(file), Map.of(), Map.of()));

    assertThat(e.key()).isEqualTo("admin.token");
  }

  @Test
  void unknownVariable_namesTheVariableAndTheKnownOnes() {
    ConfigException e = failure(() -> ConfigLoader.load(Optional.empty(),
        Map.of("PORTCULLIS_LISTNE", "127.0.0.1:1"), Map.of()));

    assertThat(e.key()).isEqualTo("PORTCULLIS_LISTNE");
    assertThat(e.getMessage()).contains("unknown").contains("PORTCULLIS_LISTEN").contains("PORTCULLIS_SHUTDOWN_TIMEOUT");
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of("listen", "nope", "host:port"),
        Arguments.of("listen", "127.0.0.1:70000", "host:port"),
        Arguments.of("admin.listen", "127.0.0.1", "host:port"),
        Arguments.of("shutdown.timeout", "3x", "duration"),
        Arguments.of("shutdown.timeout", "0s", "duration"),
        Arguments.of("upstream.connect_timeout", "5", "duration"),
        Arguments.of("trusted_proxies", "10.0.0.0/33", "CIDR"),
        Arguments.of("ingress.internal_networks", "10.0.0.0/8,intranet", "CIDR"),
        Arguments.of("demo.enabled", "maybe", "true or false"),
        Arguments.of("upstream.max_connections", "0", "1 to 10000"),
        Arguments.of("domain", "bad domain", "DNS name"),
        Arguments.of("store.url", "mysql://db/portcullis", "postgresql://USER:PASSWORD@HOST:5432/DATABASE"),
        Arguments.of("store.url", "postgresql://db.internal", "names no database"));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("badValues")
  void badValue_namesTheKeyAndWhatIsAllowed(String key, String value, String allowed) throws IOException {
    ConfigException fromFlag = failure(() -> ConfigLoader.load(Optional.empty(), Map.of(), Map.of(key, value)));
    assertThat(fromFlag.key()).isEqualTo(key);
    assertThat(fromFlag.getMessage()).startsWith(key + ": ").contains(value.split(",")[value.split(",").length - 1])
        .contains(allowed).doesNotContain("\n");

    ConfigException fromEnv = failure(() -> ConfigLoader.load(Optional.empty(),
        Map.of(ConfigLoader.variableFor(key), value), Map.of()));
    assertThat(fromEnv.key()).isEqualTo(key);

    Path file = yaml(key + ": \"" + value + "\"\n");
    ConfigException fromFile = failure(() -> ConfigLoader.load(Optional.of(file), Map.of(), Map.of()));
    assertThat(fromFile.key()).isEqualTo(key);
  }

  @Test
  void tlsCertWithoutKey_namesTheMissingKey() throws IOException {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "x");

    ConfigException e = failure(() -> ConfigLoader.load(Optional.empty(), Map.of(),
        Map.of("tls.cert_file", cert.toString())));

    assertThat(e.key()).isEqualTo("tls.key_file");
    assertThat(e.getMessage()).contains("tls.cert_file").contains("together");
  }

  @Test
  void tlsFileThatCannotBeRead_namesTheKey() {
    ConfigException e = failure(() -> ConfigLoader.load(Optional.empty(), Map.of(), Map.of(
        "tls.cert_file", dir.resolve("missing-cert.pem").toString(),
        "tls.key_file", dir.resolve("missing-key.pem").toString())));

    assertThat(e.key()).isEqualTo("tls.cert_file");
    assertThat(e.getMessage()).contains("missing-cert.pem");
  }

  @Test
  void invalidYaml_namesTheFile() throws IOException {
    Path file = yaml("listen: [127.0.0.1:8080\n");

    ConfigException e = failure(() -> ConfigLoader.load(Optional.of(file), Map.of(), Map.of()));

    assertThat(e.key()).isEqualTo("--config");
    assertThat(e.getMessage()).contains(file.toString()).contains("not valid YAML").doesNotContain("\n");
  }

  @Test
  void yamlThatIsNotAMapping_saysWhatIsExpected() throws IOException {
    Path file = yaml("- listen\n- 127.0.0.1:8080\n");

    ConfigException e = failure(() -> ConfigLoader.load(Optional.of(file), Map.of(), Map.of()));

    assertThat(e.getMessage()).contains("mapping");
  }

  @Test
  void duplicateYamlKey_namesTheKey() throws IOException {
    Path file = yaml("listen: 127.0.0.1:8080\ndomain: example.com\nlisten: 127.0.0.1:9090\n");

    ConfigException e = failure(() -> ConfigLoader.load(Optional.of(file), Map.of(), Map.of()));

    assertThat(e.key()).isEqualTo("listen");
    assertThat(e.getMessage()).contains("twice").doesNotContain("\n");
  }

  @Test
  void keySetBothDottedAndNested_isADuplicate() throws IOException {
    Path file = yaml("admin.listen: 127.0.0.1:1\nadmin:\n  listen: 127.0.0.1:2\n");

    ConfigException e = failure(() -> ConfigLoader.load(Optional.of(file), Map.of(), Map.of()));

    assertThat(e.key()).isEqualTo("admin.listen");
    assertThat(e.getMessage()).contains("twice");
  }

  @Test
  void missingConfigFile_namesIt() {
    Path missing = dir.resolve("nope.yaml");

    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(missing), Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining(missing.toString());
  }
}
