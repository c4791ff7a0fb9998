package dev.portcullis.authn.oidc;

import static dev.portcullis.authn.oidc.SignInException.Reason.DISALLOWED_ALGORITHM;
import static dev.portcullis.authn.oidc.SignInException.Reason.EXPIRED;
import static dev.portcullis.authn.oidc.SignInException.Reason.INVALID_SIGNATURE;
import static dev.portcullis.authn.oidc.SignInException.Reason.ISSUED_IN_FUTURE;
import static dev.portcullis.authn.oidc.SignInException.Reason.KEYS_UNAVAILABLE;
import static dev.portcullis.authn.oidc.SignInException.Reason.MALFORMED_TOKEN;
import static dev.portcullis.authn.oidc.SignInException.Reason.NONCE_MISMATCH;
import static dev.portcullis.authn.oidc.SignInException.Reason.UNKNOWN_KEY;
import static dev.portcullis.authn.oidc.SignInException.Reason.WRONG_AUDIENCE;
import static dev.portcullis.authn.oidc.SignInException.Reason.WRONG_AUTHORIZED_PARTY;
import static dev.portcullis.authn.oidc.SignInException.Reason.WRONG_ISSUER;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Checks one provider's ID tokens (OpenID Connect Core 3.1.3.7): a signature by a key in the provider's
 * JWKS with an asymmetric algorithm, then {@code iss}, {@code aud}, {@code azp}, {@code exp}, {@code iat},
 * {@code nbf} and {@code nonce}. What the token says about the person (email, domain) is
 * {@link IdentityClaims}'s business.
 *
 * <p>The algorithm comes from an allow-list, never from the token: {@code none} and every MAC
 * algorithm are refused before any key is looked at, so a token MAC-signed with the provider's public
 * key (the classic algorithm confusion) cannot verify. Keys come from a {@link JWKSource}; the remote
 * one built by {@link #remoteKeys} caches the JWKS and fetches it again when a token names a key
 * it does not hold (a rotation), at most twice in 30 seconds so forged {@code kid}s cannot hammer the
 * provider.
 */
public final class IdTokenVerifier {

  /** Signature algorithms an ID token may use. EdDSA is absent: Nimbus verifies it only with Tink. */
  public static final Set<JWSAlgorithm> ASYMMETRIC_ALGORITHMS = Set.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
      JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

  /** How far the provider's clock may be from ours. */
  public static final Duration CLOCK_SKEW = Duration.ofSeconds(60);

  private static final int HTTP_TIMEOUT_MS = 5_000;
  private static final int JWKS_SIZE_LIMIT = 512 * 1024;
  private static final long JWKS_CACHE_TTL_MS = Duration.ofMinutes(15).toMillis();
  private static final long JWKS_REFRESH_TIMEOUT_MS = Duration.ofSeconds(10).toMillis();
  private static final long JWKS_MIN_REFRESH_INTERVAL_MS = Duration.ofSeconds(30).toMillis();
  private static final int MAX_SUBJECT_LENGTH = 255;

  private final String issuer;
  private final String clientId;
  private final Set<JWSAlgorithm> algorithms;
  private final Clock clock;
  private final DefaultJWTProcessor<SecurityContext> processor;

  /**
   * @param issuer the issuer exactly as the provider's discovery document spells it
   * @param clientId our client id at the provider
   * @param algorithms the algorithms this provider may sign with; only asymmetric ones are kept
   * @param keys the provider's signing keys
   * @param clock the time against which {@code exp}, {@code iat} and {@code nbf} are judged
   */
  public IdTokenVerifier(String issuer, String clientId, Set<JWSAlgorithm> algorithms,
      JWKSource<SecurityContext> keys, Clock clock) {
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    this.clock = Objects.requireNonNull(clock, "clock");
    Set<JWSAlgorithm> allowed = new LinkedHashSet<>(algorithms);
    allowed.retainAll(ASYMMETRIC_ALGORITHMS);
    if (allowed.isEmpty()) {
      throw new IllegalArgumentException("no allowed asymmetric signature algorithm among " + algorithms);
    }
    this.algorithms = Set.copyOf(allowed);

    processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new FailOnNoKey(new JWSVerificationKeySelector<>(this.algorithms, keys)));
    // Claims are checked below, one by one, so that each refusal has its own reason and our clock.
    processor.setJWTClaimsSetVerifier(null);
  }

  /**
   * The provider's JWKS at {@code jwksUri}: cached for 15 minutes, fetched again at once when a token
   * names an unknown key, but at most twice in any 30 seconds.
   */
  public static JWKSource<SecurityContext> remoteKeys(URL jwksUri) {
    var retriever = new DefaultResourceRetriever(HTTP_TIMEOUT_MS, HTTP_TIMEOUT_MS, JWKS_SIZE_LIMIT);
    return JWKSourceBuilder.<SecurityContext>create(jwksUri, retriever)
        .cache(JWKS_CACHE_TTL_MS, JWKS_REFRESH_TIMEOUT_MS)
        .refreshAheadCache(false)
        .rateLimited(JWKS_MIN_REFRESH_INTERVAL_MS)
        .retrying(false)
        .build();
  }

  public Set<JWSAlgorithm> algorithms() {
    return algorithms;
  }

  /**
   * Verifies an ID token and returns its claims.
   *
   * @param idToken the compact serialization as received from the token endpoint
   * @param expectedNonce the nonce sent in the authorization request for this browser
   * @throws SignInException with the first check that failed
   */
  public JWTClaimsSet verify(String idToken, String expectedNonce) throws SignInException {
    SignedJWT jwt = parseSigned(idToken);
    JWTClaimsSet claims = verifySignature(jwt);
    verifyIssuerAndAudience(claims);
    verifyTimes(claims);
    verifySubject(claims);
    verifyNonce(claims, expectedNonce);
    return claims;
  }

  private SignedJWT parseSigned(String idToken) throws SignInException {
    if (idToken == null || idToken.isEmpty()) {
      throw new SignInException(MALFORMED_TOKEN, "The provider returned no ID token.");
    }
    JWT jwt;
    try {
      jwt = JWTParser.parse(idToken);
    } catch (ParseException e) {
      throw new SignInException(MALFORMED_TOKEN, "The ID token is not a well-formed JWT.");
    }
    if (!(jwt instanceof SignedJWT signed)) {
      // A PlainJWT is alg "none"; an EncryptedJWT is not something we asked for.
      throw new SignInException(DISALLOWED_ALGORITHM,
          "The ID token is not signed with an allowed algorithm (" + Printable.of(jwt.getHeader().getAlgorithm()) + ").");
    }
    JWSAlgorithm alg = signed.getHeader().getAlgorithm();
    if (!algorithms.contains(alg)) {
      throw new SignInException(DISALLOWED_ALGORITHM,
          "The ID token is signed with " + Printable.of(alg) + ", which is not allowed for this provider.");
    }
    return signed;
  }

  private JWTClaimsSet verifySignature(SignedJWT jwt) throws SignInException {
    try {
      return processor.process(jwt, null);
    } catch (NoMatchingKeyException | RateLimitReachedException e) {
      // Rate limited: the JWKS was fetched twice in the last 30 s and the key was in neither.
      throw new SignInException(UNKNOWN_KEY, "The ID token is signed by a key the provider does not publish.");
    } catch (KeySourceException e) {
      throw new SignInException(KEYS_UNAVAILABLE, "The provider's signing keys could not be fetched.", e);
    } catch (BadJWSException e) {
      throw new SignInException(INVALID_SIGNATURE, "The ID token's signature is not valid.");
    } catch (BadJWTException e) {
      throw new SignInException(MALFORMED_TOKEN, "The ID token's claims are not a valid JWT claims set.");
    } catch (BadJOSEException | JOSEException e) {
      // For instance a typ header other than JWT. Nimbus's message may quote the token's header.
      throw new SignInException(MALFORMED_TOKEN, "The ID token is not a JWT we can verify.");
    }
  }

  private void verifyIssuerAndAudience(JWTClaimsSet claims) throws SignInException {
    if (!issuer.equals(claims.getIssuer())) {
      throw new SignInException(WRONG_ISSUER, "The ID token was issued by another issuer.");
    }
    List<String> audience = claims.getAudience();
    if (!audience.contains(clientId)) {
      throw new SignInException(WRONG_AUDIENCE, "The ID token is meant for another client.");
    }
    String azp = stringClaim(claims, "azp");
    if (azp == null ? audience.size() > 1 : !azp.equals(clientId)) {
      throw new SignInException(WRONG_AUTHORIZED_PARTY, azp == null
          ? "The ID token names several audiences but no authorized party."
          : "The ID token was issued to another client (azp).");
    }
  }

  private void verifyTimes(JWTClaimsSet claims) throws SignInException {
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    Date iat = claims.getIssueTime();
    if (exp == null || iat == null) {
      throw new SignInException(MALFORMED_TOKEN, "The ID token lacks exp or iat.");
    }
    if (!now.isBefore(exp.toInstant().plus(CLOCK_SKEW))) {
      throw new SignInException(EXPIRED, "The ID token has expired.");
    }
    if (iat.toInstant().isAfter(now.plus(CLOCK_SKEW))) {
      throw new SignInException(ISSUED_IN_FUTURE, "The ID token claims to be issued in the future.");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && nbf.toInstant().isAfter(now.plus(CLOCK_SKEW))) {
      throw new SignInException(ISSUED_IN_FUTURE, "The ID token is not valid yet (nbf).");
    }
  }

  private void verifySubject(JWTClaimsSet claims) throws SignInException {
    String sub = claims.getSubject();
    if (sub == null || sub.isBlank() || sub.length() > MAX_SUBJECT_LENGTH) {
      throw new SignInException(MALFORMED_TOKEN, "The ID token has no usable subject.");
    }
  }

  private void verifyNonce(JWTClaimsSet claims, String expectedNonce) throws SignInException {
    String nonce = stringClaim(claims, "nonce");
    if (expectedNonce == null || expectedNonce.isEmpty() || nonce == null
        || !MessageDigest.isEqual(nonce.getBytes(StandardCharsets.UTF_8),
            expectedNonce.getBytes(StandardCharsets.UTF_8))) {
      throw new SignInException(NONCE_MISMATCH, "The ID token does not belong to this sign-in (nonce).");
    }
  }

  static String stringClaim(JWTClaimsSet claims, String name) throws SignInException {
    try {
      return claims.getStringClaim(name);
    } catch (ParseException e) {
      throw new SignInException(MALFORMED_TOKEN, "The ID token's " + name + " claim is not a string.");
    }
  }

  /** Marks "no key matches" apart from "keys could not be fetched", which Nimbus reports alike. */
  private static final class NoMatchingKeyException extends KeySourceException {
    NoMatchingKeyException() {
      super("no matching key");
    }
  }

  private record FailOnNoKey(JWSKeySelector<SecurityContext> delegate) implements JWSKeySelector<SecurityContext> {
    @Override
    public List<? extends Key> selectJWSKeys(com.nimbusds.jose.JWSHeader header, SecurityContext context)
        throws KeySourceException {
      List<? extends Key> keys = delegate.selectJWSKeys(header, context);
      if (keys.isEmpty()) {
        throw new NoMatchingKeyException();
      }
      return keys;
    }
  }
}
