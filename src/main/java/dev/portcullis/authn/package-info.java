/**
 * Who is calling: sign-in with identity providers (oidc/) and built-in accounts (local/), the sign-in
 * host's pages and the hand-off of a sign-in to each service host.
 */
package dev.portcullis.authn;
