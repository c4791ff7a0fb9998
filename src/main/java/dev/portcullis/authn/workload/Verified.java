package dev.portcullis.authn.workload;

import dev.portcullis.iam.Principal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a verified bearer token established, kept in the cache by the token's hash. What can change while
 * it is cached is checked again on every use (see {@link WorkloadAuthenticator}): the time, the audience
 * against this request's URL, and for a service account its key and the account itself.
 *
 * @param urlAudiences for a service-account JWT, its {@code aud} values, matched against each request's URL
 *     ({@link Audiences}); empty for a trusted issuer's token, whose audience was checked against the
 *     configuration
 * @param keyId the service account key that signed it, when it is a service-account JWT
 */
record Verified(Principal principal, List<String> urlAudiences, Instant expiry, Optional<String> keyId) {}
