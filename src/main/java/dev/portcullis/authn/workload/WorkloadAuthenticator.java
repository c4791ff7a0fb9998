package dev.portcullis.authn.workload;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.authn.oidc.IdTokenVerifier;
import dev.portcullis.authn.oidc.OidcDiscoveryException;
import dev.portcullis.authn.oidc.OidcProvider;
import dev.portcullis.config.TrustedIssuerSettings;
import dev.portcullis.directory.DirectorySnapshot;
import dev.portcullis.directory.ServiceAccountName;
import dev.portcullis.iam.Principal;
import dev.portcullis.session.Tokens;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a bearer token into a principal for one request, or refuses it. A service-account JWT (its
 * {@code iss} under {@code .iam.portcullis.internal}) goes to {@link ServiceAccountJwtVerifier}; any other
 * token to the trusted issuers configured for its {@code iss}, tried in order until one accepts it. The
 * unverified {@code iss} only chooses who verifies; nothing is believed before the signature is checked.
 *
 * <p>A verified token is remembered by its hash for at most a minute (never past its {@code exp}), so a
 * caller reusing one token costs one signature check a minute. What can change meanwhile is checked on
 * every use: the expiry, the audience against this request's URL (the cache is keyed by token, not by
 * URL), and for a service account that its key still exists and the account is active.
 */
public final class WorkloadAuthenticator {
  private static final Logger log = LoggerFactory.getLogger(WorkloadAuthenticator.class);
  static final Duration CACHE_FOR = Duration.ofSeconds(60);
  /** Longer than any sensible JWT; refused before parsing. */
  static final int MAX_TOKEN_LENGTH = 16 * 1024;

  private final ServiceAccountJwtVerifier serviceAccounts;
  private final ServiceAccountKeys keys;
  private final Supplier<DirectorySnapshot> directory;
  private final List<TrustedIssuer> issuers;
  private final Clock clock;
  private final Cache<String, Verified> cache = Caffeine.newBuilder()
      .maximumSize(10_000)
      .expireAfterWrite(CACHE_FOR)
      .build();

  public WorkloadAuthenticator(ServiceAccountKeys keys, Supplier<DirectorySnapshot> directory,
      List<TrustedIssuerSettings> trustedIssuers, Clock clock) {
    this.keys = keys;
    this.directory = directory;
    this.clock = clock;
    this.serviceAccounts = new ServiceAccountJwtVerifier(keys, directory, clock);
    this.issuers = trustedIssuers.stream().map(s -> new TrustedIssuer(s, () -> jwks(s), clock)).toList();
  }

  /**
   * The principal, when this token was verified recently and still holds for this URL; empty when it must
   * be verified ({@link #authenticate}). Never blocks: fit for the event loop.
   *
   * @throws BearerException when the remembered token no longer holds here
   */
  public Optional<Principal> cached(String token, String origin, String rawPath) throws BearerException {
    if (token.length() > MAX_TOKEN_LENGTH) {
      return Optional.empty();
    }
    Verified v = cache.getIfPresent(Tokens.hash(token));
    if (v == null) {
      return Optional.empty();
    }
    return Optional.of(stillHolds(v, origin, rawPath));
  }

  /**
   * What a connection opened with a token needs to be ended on time: when the token stops being valid
   * (null when it has no {@code exp}) and, for a service account's JWT, the key that signed it (null
   * otherwise).
   */
  public record Held(Instant expiry, String keyId) {}

  /**
   * {@link Held} for a token already verified: from the cache, else from the token itself (it was
   * verified, so reading it unverified is safe); one lookup or one parse for both.
   */
  public Held held(String token) {
    Verified v = token.length() > MAX_TOKEN_LENGTH ? null : cache.getIfPresent(Tokens.hash(token));
    if (v != null) {
      return new Held(v.expiry(), v.keyId().orElse(null));
    }
    try {
      JWT jwt = JWTParser.parse(token);
      com.nimbusds.jwt.JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Instant expiry = claims.getExpirationTime() == null ? null : claims.getExpirationTime().toInstant();
      String iss = claims.getIssuer();
      String keyId = jwt instanceof SignedJWT signed && iss != null && ServiceAccountName.inReservedDomain(iss)
          ? signed.getHeader().getKeyID() : null;
      return new Held(expiry, keyId);
    } catch (ParseException | RuntimeException e) {
      return new Held(null, null);
    }
  }

  /** Verifies the token for a request to {@code origin + rawPath}. Blocking (a JWKS may be fetched). */
  public Principal authenticate(String token, String origin, String rawPath) throws BearerException {
    Optional<Principal> hit = cached(token, origin, rawPath);
    if (hit.isPresent()) {
      return hit.get();
    }
    Verified v = verify(token);
    Principal p = stillHolds(v, origin, rawPath);
    if (v.expiry().isAfter(clock.instant().plus(CACHE_FOR))) {
      // Caching only tokens that outlive the cache entry keeps an entry from outliving its token.
      cache.put(Tokens.hash(token), v);
    }
    return p;
  }

  private Verified verify(String token) throws BearerException {
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw new BearerException("the token is too long");
    }
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException e) {
      throw new BearerException("the token is not a JWT");
    }
    if (!(jwt instanceof SignedJWT signed)) {
      throw new BearerException("the token is not signed with an allowed algorithm");
    }
    String iss;
    try {
      iss = signed.getJWTClaimsSet().getIssuer();
    } catch (ParseException e) {
      throw new BearerException("the token's claims are not a valid JWT claims set");
    }
    if (iss != null && ServiceAccountName.inReservedDomain(iss)) {
      return serviceAccounts.verify(signed);
    }
    BearerException last = null;
    for (TrustedIssuer issuer : issuers) {
      if (issuer.issuer().equals(iss)) {
        try {
          return issuer.verify(signed);
        } catch (BearerException e) {
          last = e;
        }
      }
    }
    throw last != null ? last : new BearerException("the token is not from a service account or a trusted issuer");
  }

  private Principal stillHolds(Verified v, String origin, String rawPath) throws BearerException {
    if (!clock.instant().isBefore(v.expiry().plus(ServiceAccountJwtVerifier.CLOCK_SKEW))) {
      throw new BearerException("the token has expired");
    }
    if (v.keyId().isPresent()) {
      if (keys.find(v.keyId().get()).isEmpty()) {
        throw new BearerException("the token's key has been deleted");
      }
      if (!directory.get().serviceAccountActive(v.principal().email())) {
        throw new BearerException("the service account is disabled or does not exist");
      }
      if (!Audiences.anyMatches(v.urlAudiences(), origin, rawPath)) {
        throw new BearerException("the token's aud is not this URL; sign it for the URL called");
      }
    }
    return v.principal();
  }

  /** The issuer's keys: its configured jwks_uri, else found by discovery on first use. */
  private static JWKSource<SecurityContext> jwks(TrustedIssuerSettings s) {
    String where = "trusted issuer '" + s.id() + "'";
    try {
      URI uri = s.jwksUri().isPresent() ? s.jwksUri().get() : OidcProvider.discoverJwksUri(s.issuer(), where);
      return IdTokenVerifier.remoteKeys(uri.toURL());
    } catch (OidcDiscoveryException | MalformedURLException | IllegalArgumentException e) {
      log.warn("{}: {}", where, e.getMessage());
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
