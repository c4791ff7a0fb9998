package dev.portcullis.config;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * One OpenID Connect provider as configured under {@code oidc.ID.*}. The client secret is read from a
 * file or a named variable at start; it is never in the config itself and never printed.
 */
public record OidcSettings(
    String id,
    String displayName,
    URI issuer,
    String clientId,
    String clientSecret,
    List<String> scopes,
    List<String> allowedDomains,
    Optional<String> loginHint) {

  static final List<String> FIELDS = List.of("issuer", "client_id", "client_secret_file", "client_secret_env",
      "scopes", "allowed_domains", "display_name", "login_hint");

  @Override
  public String toString() {
    return "OidcSettings[id=" + id + ", issuer=" + issuer + ", clientId=" + clientId + ", clientSecret=(hidden)]";
  }
}
