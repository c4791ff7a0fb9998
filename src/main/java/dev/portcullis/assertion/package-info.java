/**
 * The signed identity assertion sent upstream ({@code X-Portcullis-Jwt-Assertion}, and Google IAP's
 * {@code x-goog-iap-jwt-assertion} for services that ask for it), the identity headers that go with it,
 * and the key ring that signs it: ES256 keys kept in the store sealed under the master key, rotated
 * next → current → previous, and published as a JWKS.
 */
package dev.portcullis.assertion;
