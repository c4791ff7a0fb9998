package dev.portcullis.authn.workload;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.directory.DirectorySnapshot;
import dev.portcullis.iam.Principal;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Checks a JWT that a Portcullis service account signed with one of its keys, IAP's format: {@code alg}
 * RS256 from a fixed allow-list (never from the token: {@code none} and MACs are refused before any key
 * is touched), a {@code kid} naming a key that exists now and belongs to the account named by
 * {@code iss}, {@code iss == sub}, a valid signature by that key (headers such as {@code jwk} or {@code jku}
 * are never used to find a key), {@code exp} in the future and at most one hour after {@code iat},
 * {@code iat} not in the future, both with 30 seconds of skew, and an active account. The audience depends
 * on the request and is checked by {@link WorkloadAuthenticator}.
 */
final class ServiceAccountJwtVerifier {
  static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
  /** The account keys are RSA; ES256 is in the allow-list for keys of that type, which we do not make yet. */
  static final List<JWSAlgorithm> ALGORITHMS = List.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);

  private final ServiceAccountKeys keys;
  private final Supplier<DirectorySnapshot> directory;
  private final Clock clock;

  ServiceAccountJwtVerifier(ServiceAccountKeys keys, Supplier<DirectorySnapshot> directory, Clock clock) {
    this.keys = keys;
    this.directory = directory;
    this.clock = clock;
  }

  Verified verify(SignedJWT jwt) throws BearerException {
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    if (!ALGORITHMS.contains(alg)) {
      throw new BearerException("the token is not signed with an allowed algorithm (RS256)");
    }
    String kid = jwt.getHeader().getKeyID();
    if (kid == null || kid.isEmpty()) {
      throw new BearerException("the token has no kid; set it to the key file's private_key_id");
    }
    JWTClaimsSet claims = claims(jwt);
    String iss = claims.getIssuer();
    if (iss == null || !iss.equals(claims.getSubject())) {
      throw new BearerException("iss and sub must both be the service account's email");
    }
    ServiceAccountKey key = keys.find(kid).filter(k -> k.accountEmail().equals(iss))
        .orElseThrow(() -> new BearerException("the token's kid is not a key of the account it names"));
    if (alg != JWSAlgorithm.RS256) {
      throw new BearerException("the token's algorithm does not fit its key (RS256)");
    }
    try {
      if (!jwt.verify(new RSASSAVerifier(key.publicKey()))) {
        throw new BearerException("the token's signature is not valid");
      }
    } catch (JOSEException e) {
      throw new BearerException("the token's signature is not valid");
    }
    Instant expiry = checkTimes(claims);
    List<String> audience = claims.getAudience();
    if (audience.isEmpty()) {
      throw new BearerException("the token has no aud; set it to the URL called");
    }
    if (!directory.get().serviceAccountActive(iss)) {
      throw new BearerException("the service account is disabled or does not exist");
    }
    return new Verified(Principal.serviceAccount(iss), List.copyOf(audience), expiry, Optional.of(kid));
  }

  private Instant checkTimes(JWTClaimsSet claims) throws BearerException {
    Date exp = claims.getExpirationTime();
    Date iat = claims.getIssueTime();
    if (exp == null || iat == null) {
      throw new BearerException("the token must have iat and exp");
    }
    Instant now = clock.instant();
    if (!now.isBefore(exp.toInstant().plus(CLOCK_SKEW))) {
      throw new BearerException("the token has expired");
    }
    if (iat.toInstant().isAfter(now.plus(CLOCK_SKEW))) {
      throw new BearerException("the token is issued in the future (iat)");
    }
    if (!exp.toInstant().isAfter(iat.toInstant())
        || Duration.between(iat.toInstant(), exp.toInstant()).compareTo(KeyFile.MAX_LIFETIME) > 0) {
      throw new BearerException("exp must be after iat and at most 1 hour after it");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && nbf.toInstant().isAfter(now.plus(CLOCK_SKEW))) {
      throw new BearerException("the token is not valid yet (nbf)");
    }
    return exp.toInstant();
  }

  static JWTClaimsSet claims(SignedJWT jwt) throws BearerException {
    try {
      return jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new BearerException("the token's claims are not a valid JWT claims set");
    }
  }
}
