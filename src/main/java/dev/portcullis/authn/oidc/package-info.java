/**
 * OpenID Connect relying party: discovery of a provider, the authorization code flow with PKCE S256,
 * and the checks on the ID token (signature against the provider's JWKS with an asymmetric-only
 * algorithm allow-list, issuer, audience, authorized party, times, nonce) and on the identity it
 * carries (verified email, allowed domains) before an email may become a principal.
 *
 * <p>The calls here are blocking (they talk to the provider); callers run them off the event loop.
 * Tokens and the client secret never appear in messages, logs or {@code toString()}.
 */
package dev.portcullis.authn.oidc;
