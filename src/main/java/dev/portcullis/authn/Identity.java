package dev.portcullis.authn;

import java.util.Objects;
import java.util.Optional;

/**
 * Who a signed-in caller is. {@code subject} is stable and provider-prefixed ("local:…" for built-in
 * accounts, "PROVIDER:sub" for an identity provider); {@code email} is lower-case. {@code hostedDomain} is
 * the identity provider's {@code hd} claim from the sign-in, when it gave one (Google Workspace does).
 */
public record Identity(String userId, String subject, String email, String provider, Optional<String> hostedDomain) {
  public Identity {
    Objects.requireNonNull(hostedDomain);
  }

  public Identity(String userId, String subject, String email, String provider) {
    this(userId, subject, email, provider, Optional.empty());
  }

  public Identity withHostedDomain(Optional<String> hd) {
    return new Identity(userId, subject, email, provider, hd);
  }
}
