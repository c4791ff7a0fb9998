package dev.portcullis.authn.oidc;

/** A provider that cannot be used: its discovery document is unreachable, invalid, or names another issuer. */
public final class OidcDiscoveryException extends Exception {
  public OidcDiscoveryException(String message) {
    super(message);
  }

  public OidcDiscoveryException(String message, Throwable cause) {
    super(message, cause);
  }
}
