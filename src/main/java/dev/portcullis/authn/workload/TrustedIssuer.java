package dev.portcullis.authn.workload;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.portcullis.authn.Emails;
import dev.portcullis.authn.oidc.IdTokenVerifier;
import dev.portcullis.config.TrustedIssuerSettings;
import dev.portcullis.directory.ServiceAccountName;
import dev.portcullis.iam.Principal;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One trusted issuer: checks its ID tokens as {@link IdTokenVerifier} does a provider's (asymmetric
 * algorithms only, a key from the issuer's JWKS fetched again on an unknown kid but rate-limited, the
 * issuer exactly, {@code exp}/{@code iat}/{@code nbf} with skew) and then maps the token to a principal:
 * one of the configured audiences, every required claim equal to its value, and the principal template
 * filled from the token's string claims. A template's placeholders are filled once, never re-read, and
 * the result must be one valid email; {@code user:} may not name a service account's address.
 */
final class TrustedIssuer {
  private static final java.time.Duration DISCOVERY_RETRY = java.time.Duration.ofSeconds(30);
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_.:/-]{1,64})\\}");

  private final TrustedIssuerSettings settings;
  private final Supplier<JWKSource<SecurityContext>> keys;
  private final Clock clock;
  private volatile DefaultJWTProcessor<SecurityContext> processor;
  /** After a failed discovery, when to try again: not on every request while the issuer is down. */
  private volatile Instant retryAfter = Instant.MIN;

  /** @param keys the issuer's JWKS, found on first use (blocking; discovery may throw IllegalStateException) */
  TrustedIssuer(TrustedIssuerSettings settings, Supplier<JWKSource<SecurityContext>> keys, Clock clock) {
    this.settings = settings;
    this.keys = keys;
    this.clock = clock;
  }

  String issuer() {
    return settings.issuer().toString();
  }

  String id() {
    return settings.id();
  }

  /** Blocking: may fetch the JWKS. */
  Verified verify(SignedJWT jwt) throws BearerException {
    if (!IdTokenVerifier.ASYMMETRIC_ALGORITHMS.contains(jwt.getHeader().getAlgorithm())) {
      throw new BearerException("the token is not signed with an allowed algorithm");
    }
    JWTClaimsSet claims;
    try {
      claims = processor().process(jwt, null);
    } catch (KeySourceException e) {
      throw new BearerException("the issuer's signing keys could not be fetched, or none matches the token");
    } catch (BadJOSEException | JOSEException e) {
      throw new BearerException("the token's signature is not valid");
    } catch (IllegalStateException e) {
      throw new BearerException("the issuer could not be discovered; try again later");
    }
    if (!issuer().equals(claims.getIssuer())) {
      throw new BearerException("the token was issued by another issuer");
    }
    if (claims.getAudience().stream().noneMatch(settings.audiences()::contains)) {
      throw new BearerException("the token is meant for another audience");
    }
    Instant expiry = checkTimes(claims);
    for (Map.Entry<String, String> required : settings.requiredClaims().entrySet()) {
      Object value = claims.getClaim(required.getKey());
      if (!(value instanceof String || value instanceof Boolean || value instanceof Number)
          || !String.valueOf(value).equals(required.getValue())) {
        throw new BearerException("the token does not carry the claims this issuer requires");
      }
    }
    return new Verified(principal(claims), List.of(), expiry, Optional.empty());
  }

  private Instant checkTimes(JWTClaimsSet claims) throws BearerException {
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    Date iat = claims.getIssueTime();
    if (exp == null) {
      throw new BearerException("the token has no exp");
    }
    if (!now.isBefore(exp.toInstant().plus(IdTokenVerifier.CLOCK_SKEW))) {
      throw new BearerException("the token has expired");
    }
    if (iat != null && iat.toInstant().isAfter(now.plus(IdTokenVerifier.CLOCK_SKEW))) {
      throw new BearerException("the token is issued in the future (iat)");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && nbf.toInstant().isAfter(now.plus(IdTokenVerifier.CLOCK_SKEW))) {
      throw new BearerException("the token is not valid yet (nbf)");
    }
    return exp.toInstant();
  }

  private Principal principal(JWTClaimsSet claims) throws BearerException {
    Matcher m = PLACEHOLDER.matcher(settings.principal());
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      if (!(claims.getClaim(m.group(1)) instanceof String value)) {
        throw new BearerException("the token lacks a claim its principal is made from");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    String member = out.toString();
    boolean user = member.startsWith("user:");
    String raw = member.substring(member.indexOf(':') + 1);
    Optional<String> email = Emails.whyInvalid(raw).isPresent() ? Optional.empty() : Emails.normalize(raw);
    if (email.isEmpty()) {
      throw new BearerException("the principal made from the token is not an email address");
    }
    if (user && ServiceAccountName.inReservedDomain(email.get())) {
      throw new BearerException("the principal made from the token names a service account as a user");
    }
    return user ? Principal.user(email.get()) : Principal.serviceAccount(email.get());
  }

  private DefaultJWTProcessor<SecurityContext> processor() {
    DefaultJWTProcessor<SecurityContext> p = processor;
    if (p == null) {
      synchronized (this) {
        if (processor == null) {
          if (clock.instant().isBefore(retryAfter)) {
            throw new IllegalStateException("discovery failed recently");
          }
          JWKSource<SecurityContext> source;
          try {
            source = keys.get();
          } catch (IllegalStateException e) {
            retryAfter = clock.instant().plus(DISCOVERY_RETRY);
            throw e;
          }
          p = new DefaultJWTProcessor<>();
          p.setJWSKeySelector(new JWSVerificationKeySelector<>(IdTokenVerifier.ASYMMETRIC_ALGORITHMS, source));
          // Kubernetes and others set typ "JWT" or nothing; claims are checked above, one by one.
          p.setJWTClaimsSetVerifier(null);
          processor = p;
        }
        p = processor;
      }
    }
    return p;
  }
}
