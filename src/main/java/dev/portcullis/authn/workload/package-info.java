/**
 * Programmatic callers: bearer tokens in {@code Authorization} or {@code Proxy-Authorization}, as Google's
 * IAP accepts them. Two kinds are verified here: JWTs that a Portcullis service account signs itself with
 * a key registered here (IAP's service-account JWT: {@code iss = sub = EMAIL}, {@code aud} the target URL,
 * at most an hour long), and ID tokens from configured trusted issuers (Kubernetes, CI, Google), mapped to
 * a {@code serviceAccount:} or {@code user:} principal. Either way the outcome is a
 * {@link dev.portcullis.iam.Principal} for IAM to decide on, or a {@link BearerException} that is
 * answered 401 {@code invalid_token}.
 *
 * <p>Tokens never appear in logs or messages; the verification cache is keyed by the token's hash.
 */
package dev.portcullis.authn.workload;
