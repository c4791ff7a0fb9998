package dev.portcullis.authn;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * A sign-in started on a service host, carried to the sign-in host in the URL. It is signed with a key
 * only Portcullis holds and names the host and the exact URL to return to, and the hash of a cookie set
 * on that host, so that the sign-in can only end on the same service, in the same browser.
 */
public final class SignInRequests {
  /** What a service host asks of the sign-in host. */
  public record Request(String host, String returnUrl, String bindingHash) {}

  static final Duration LIFETIME = Duration.ofMinutes(15);

  private final MACSigner signer;
  private final MACVerifier verifier;
  private final Clock clock;

  public SignInRequests(byte[] key, Clock clock) {
    try {
      this.signer = new MACSigner(key);
      this.verifier = new MACVerifier(key);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("sign-in request key must be at least 256 bits", e);
    }
    this.clock = clock;
  }

  public String sign(Request r) {
    Instant now = clock.instant();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .claim("h", r.host())
        .claim("u", r.returnUrl())
        .claim("b", r.bindingHash())
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(LIFETIME)))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }

  /** The request, if it was signed by this deployment, is unexpired and complete; otherwise empty. */
  public Optional<Request> verify(String token) {
    if (token == null || token.length() > 4096) {
      return Optional.empty();
    }
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
        return Optional.empty();
      }
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      Date exp = c.getExpirationTime();
      String host = c.getStringClaim("h");
      String url = c.getStringClaim("u");
      String binding = c.getStringClaim("b");
      if (exp == null || !clock.instant().isBefore(exp.toInstant()) || host == null || url == null || binding == null) {
        return Optional.empty();
      }
      return Optional.of(new Request(host, url, binding));
    } catch (ParseException | JOSEException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
