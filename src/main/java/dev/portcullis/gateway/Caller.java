package dev.portcullis.gateway;

import dev.portcullis.authn.Identity;
import dev.portcullis.iam.Principal;
import dev.portcullis.session.Session;
import dev.portcullis.session.Tokens;

/**
 * Who IAM let through, as the upstream is told: the identity the assertion and user headers carry, and
 * the key its signed assertion is reused under (a session, or a bearer token's hash). The principal IAM
 * decided on, and the session when there is one, go with it so that a live connection can be decided
 * again later: with a bearer token's expiry and, for a service account's JWT, the key that signed it.
 */
record Caller(Identity identity, String assertionKey, Principal principal, Session session,
    java.time.Instant notAfter, String keyId) {
  static Caller of(Session session) {
    return new Caller(session.identity(), session.idHash(), Principal.user(session.identity().email()), session,
        null, null);
  }

  /**
   * A programmatic caller: its subject is its member name ({@code serviceAccount:EMAIL} or
   * {@code user:EMAIL}), stable and prefixed like every subject Portcullis sends.
   */
  static Caller of(Principal principal, String bearerToken, java.time.Instant tokenExpiry, String keyId) {
    String provider = principal.kind() == Principal.Kind.SERVICE_ACCOUNT ? "serviceAccount" : "workload";
    return new Caller(new Identity(principal.memberKey(), principal.memberKey(), principal.email(), provider),
        "bearer:" + Tokens.hash(bearerToken), principal, null, tokenExpiry, keyId);
  }
}
