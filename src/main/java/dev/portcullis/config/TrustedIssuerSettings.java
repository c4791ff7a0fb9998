package dev.portcullis.config;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One issuer whose ID tokens are accepted as bearer credentials, configured under
 * {@code workload.trusted_issuers.ID.*}: its issuer URL (discovered for its JWKS unless {@code jwks_uri} is
 * given), the audiences a token must name one of, the principal it becomes ({@code serviceAccount:...} or
 * {@code user:...}, with {@code {claim}} placeholders), and claims that must hold exact values.
 */
public record TrustedIssuerSettings(
    String id,
    URI issuer,
    Optional<URI> jwksUri,
    List<String> audiences,
    String principal,
    Map<String, String> requiredClaims) {

  static final List<String> FIELDS = List.of("issuer", "jwks_uri", "audiences", "principal", "required_claims");
}
