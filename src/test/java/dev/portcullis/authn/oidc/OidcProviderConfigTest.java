package dev.portcullis.authn.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OidcProviderConfigTest {
  private static final URI ISSUER = URI.create("https://accounts.example.com");

  @Test
  void defaults_scopesOpenidEmailProfileAnyDomainNoHint() {
    OidcProviderConfig config = OidcProviderConfig.of("corp", "Corp", ISSUER, "client", Secret.of("s"));

    assertThat(config.scopes()).containsExactly("openid", "email", "profile");
    assertThat(config.allowedDomains()).isEmpty();
    assertThat(config.loginHint()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Corp", "corp-1", "corp_1", "corp.io", "côrp"})
  void id_mustBeLowerCaseLettersAndDigits(String id) {
    assertThatThrownBy(() -> OidcProviderConfig.of(id, "Corp", ISSUER, "client", Secret.of("s")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "http://accounts.example.com",
      "http://127.0.0.1.evil.test/",
      "http://localhost.evil.test/",
      "ftp://accounts.example.com",
      "https://accounts.example.com/?tenant=x",
      "https://user@accounts.example.com",
      "accounts.example.com"})
  void issuer_mustBeHttpsExceptOnLoopback(String issuer) {
    assertThatThrownBy(() -> OidcProviderConfig.of("corp", "Corp", URI.create(issuer), "client", Secret.of("s")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://localhost:8080/default", "http://127.0.0.1:9000", "https://login.example.com/t/1"})
  void issuer_acceptsHttpsAndLoopbackHttp(String issuer) {
    assertThat(OidcProviderConfig.of("corp", "Corp", URI.create(issuer), "client", Secret.of("s")).issuer())
        .hasToString(issuer);
  }

  @Test
  void scopes_mustIncludeOpenid() {
    assertThatThrownBy(() -> new OidcProviderConfig("corp", "Corp", ISSUER, "client", Secret.of("s"),
        List.of("email"), List.of(), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void allowedDomains_areLowerCasedAndMustBePlainDomains() {
    OidcProviderConfig config = OidcProviderConfig.of("corp", "Corp", ISSUER, "client", Secret.of("s"))
        .withAllowedDomains(List.of("Example.COM", " example.org "));
    assertThat(config.allowedDomains()).containsExactly("example.com", "example.org");

    for (String bad : List.of(".example.com", "*.example.com", "@example.com", "example", "example.com/")) {
      assertThatThrownBy(() -> config.withAllowedDomains(List.of(bad)))
          .as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void secret_neverShowsItsValue(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("client-secret");
    Files.writeString(file, "very-secret-value\n");
    Secret secret = Secret.readFile(file);
    OidcProviderConfig config = OidcProviderConfig.of("corp", "Corp", ISSUER, "client", secret);

    assertThat(secret.reveal()).isEqualTo("very-secret-value");
    assertThat(secret.toString()).doesNotContain("very-secret-value");
    assertThat(config.toString()).doesNotContain("very-secret-value");
  }
}
