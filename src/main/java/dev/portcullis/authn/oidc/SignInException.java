package dev.portcullis.authn.oidc;

import java.util.Locale;
import java.util.Objects;

/**
 * A sign-in that is refused. {@link #reason()} is a short machine reason for audit and metrics; the
 * message is for a person. Neither ever contains a token, a code or the client secret.
 */
public final class SignInException extends Exception {

  /** Why a sign-in was refused. {@link #code()} is the snake_case spelling used in audit records. */
  public enum Reason {
    /** The token exchange at the provider failed (bad code, wrong PKCE verifier, network error). */
    TOKEN_EXCHANGE_FAILED,
    /** The ID token is not a well-formed signed JWT, or lacks a required claim. */
    MALFORMED_TOKEN,
    /** The token is unsigned ({@code alg: none}), MAC-signed, or uses an algorithm not allowed. */
    DISALLOWED_ALGORITHM,
    /** No key in the provider's JWKS (even after a refresh) matches the token's {@code kid}. */
    UNKNOWN_KEY,
    /** The provider's JWKS could not be fetched (or was fetched too often). */
    KEYS_UNAVAILABLE,
    /** The signature does not verify with the provider's key. */
    INVALID_SIGNATURE,
    WRONG_ISSUER,
    WRONG_AUDIENCE,
    /** {@code azp} names another client, or is missing while {@code aud} names several. */
    WRONG_AUTHORIZED_PARTY,
    EXPIRED,
    /** {@code iat} (or {@code nbf}) lies in the future beyond the allowed clock skew. */
    ISSUED_IN_FUTURE,
    NONCE_MISMATCH,
    /** The token carries no email, so there is nothing to become a principal. */
    MISSING_EMAIL,
    /** The email is not a plain {@code local@domain} address. */
    INVALID_EMAIL,
    /** {@code email_verified} is false or missing. */
    UNVERIFIED_EMAIL,
    /** Neither {@code hd} nor the email's domain is one of the provider's allowed domains. */
    DOMAIN_NOT_ALLOWED;

    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Reason reason;

  public SignInException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason);
  }

  public SignInException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason);
  }

  public Reason reason() {
    return reason;
  }

  @Override
  public String toString() {
    return "SignInException[" + reason.code() + "]: " + getMessage();
  }
}
