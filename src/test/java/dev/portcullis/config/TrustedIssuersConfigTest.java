package dev.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** workload.trusted_issuers.* and admin.url: read from YAML and variables, mistakes named at start. */
class TrustedIssuersConfigTest {
  @TempDir Path dir;

  Settings load(String yaml) throws IOException {
    return ConfigLoader.load(Optional.of(Files.writeString(dir.resolve("p.yaml"), yaml)), Map.of(), Map.of());
  }

  @Test
  void nestedYaml_withLists_becomesOneIssuer() throws IOException {
    Settings s = load("""
        workload:
          trusted_issuers:
            gha:
              issuer: https://token.actions.githubusercontent.com
              audiences: [https://portcullis.example.com]
              principal: serviceAccount:deployer@default.iam.portcullis.internal
              required_claims: [repository=acme/app, ref=refs/heads/main]
        """);
    TrustedIssuerSettings gha = s.trustedIssuers().get(0);
    assertThat(gha.id()).isEqualTo("gha");
    assertThat(gha.issuer().toString()).isEqualTo("https://token.actions.githubusercontent.com");
    assertThat(gha.audiences()).containsExactly("https://portcullis.example.com");
    assertThat(gha.requiredClaims()).containsEntry("repository", "acme/app").containsEntry("ref", "refs/heads/main");
    assertThat(gha.jwksUri()).isEmpty();
  }

  @Test
  void variables_setAnIssuer() {
    Settings s = ConfigLoader.load(Optional.empty(), Map.of(
        "PORTCULLIS_WORKLOAD_TRUSTED_ISSUERS_K8S_ISSUER", "https://kubernetes.default.svc.cluster.local",
        "PORTCULLIS_WORKLOAD_TRUSTED_ISSUERS_K8S_AUDIENCES", "a,b",
        "PORTCULLIS_WORKLOAD_TRUSTED_ISSUERS_K8S_PRINCIPAL", "serviceAccount:r@default.iam.portcullis.internal"),
        Map.of());
    assertThat(s.trustedIssuers().get(0).id()).isEqualTo("k8s");
    assertThat(s.trustedIssuers().get(0).audiences()).containsExactly("a", "b");
  }

  @Test
  void userFromEmail_withoutEmailVerified_isRefused() {
    ConfigException e = ConfigLoaderTest.failure(() -> {
      try {
        load("workload.trusted_issuers.g.issuer: https://accounts.google.com\n"
            + "workload.trusted_issuers.g.audiences: x\nworkload.trusted_issuers.g.principal: user:{email}\n");
      } catch (IOException io) {
        throw new IllegalStateException(io);
      }
    });
    assertThat(e.key()).isEqualTo("workload.trusted_issuers.g.required_claims");
    assertThat(e.getMessage()).contains("email_verified=true");
  }

  @Test
  void mistakes_nameTheKey() {
    assertThat(ConfigLoaderTest.failure(() -> ConfigLoader.load(Optional.empty(), Map.of(),
        Map.of("workload.trusted_issuers.x.issuer", "https://i.test", "workload.trusted_issuers.x.principal",
            "serviceAccount:a@b.c"))).key()).isEqualTo("workload.trusted_issuers.x.audiences");
    assertThat(ConfigLoaderTest.failure(() -> ConfigLoader.load(Optional.empty(), Map.of(),
        Map.of("workload.trusted_issuers.x.issuer", "https://i.test", "workload.trusted_issuers.x.audiences", "a",
            "workload.trusted_issuers.x.principal", "group:eng@example.com"))).key())
        .isEqualTo("workload.trusted_issuers.x.principal");
    assertThat(ConfigLoaderTest.failure(() -> ConfigLoader.load(Optional.empty(), Map.of(),
        Map.of("workload.trusted_issuers.x.audience", "a"))).getMessage()).contains("required_claims");
    assertThat(ConfigLoaderTest.failure(() -> ConfigLoader.load(Optional.empty(), Map.of(),
        Map.of("admin.url", "https://Admin.example.com/v1"))).key()).isEqualTo("admin.url");
  }

  @Test
  void adminUrl_dropsATrailingSlash() {
    assertThat(ConfigLoader.load(Optional.empty(), Map.of(), Map.of("admin.url", "https://admin.example.com/"))
        .adminUrl()).contains("https://admin.example.com");
  }
}
