package dev.portcullis.authn.oidc;

import java.net.URI;
import java.util.Objects;

/**
 * The start of one authorization code flow: the URL to send the browser to, and the values the caller
 * keeps server-side, bound to this browser, until the provider calls back. {@code state} is compared
 * to the callback's, {@code nonce} and {@code codeVerifier} are handed to
 * {@link OidcProvider#complete}. Each is single use.
 */
public record AuthorizationStart(URI authorizationUrl, String state, String nonce, String codeVerifier) {
  public AuthorizationStart {
    Objects.requireNonNull(authorizationUrl);
    Objects.requireNonNull(state);
    Objects.requireNonNull(nonce);
    Objects.requireNonNull(codeVerifier);
  }

  @Override
  public String toString() {
    return "AuthorizationStart[" + authorizationUrl.getHost() + ", state, nonce and verifier redacted]";
  }
}
