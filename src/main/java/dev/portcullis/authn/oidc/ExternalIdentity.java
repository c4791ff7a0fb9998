package dev.portcullis.authn.oidc;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Who signed in at an external provider, after every check: the provider's stable subject, the
 * verified email (lower-cased), the Google Workspace-style hosted domain if the provider sent one, and
 * a display name.
 *
 * <p>{@code idToken} is the raw ID token, kept only as {@code id_token_hint} for RP-initiated logout;
 * it never goes to a page, a log or upstream. {@code authTime} is the provider's {@code auth_time} when
 * it sends one, else the token's {@code iat} (authentication happened at that moment or before).
 */
public record ExternalIdentity(
    String providerId,
    String subject,
    String email,
    Optional<String> hostedDomain,
    Optional<String> name,
    String idToken,
    Instant authTime) {

  public ExternalIdentity {
    Objects.requireNonNull(providerId);
    Objects.requireNonNull(subject);
    Objects.requireNonNull(email);
    Objects.requireNonNull(hostedDomain);
    Objects.requireNonNull(name);
    Objects.requireNonNull(idToken);
    Objects.requireNonNull(authTime);
  }

  @Override
  public String toString() {
    return "ExternalIdentity[provider=" + providerId + ", subject=" + subject + ", email=" + email
        + ", hostedDomain=" + hostedDomain.orElse("-") + ", authTime=" + authTime + ", idToken=redacted]";
  }
}
