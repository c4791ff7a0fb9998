package dev.portcullis.assertion;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.portcullis.authn.Identity;
import dev.portcullis.config.AssertionSettings;
import dev.portcullis.directory.DirectorySnapshot;
import dev.portcullis.service.AssertionOptions;
import dev.portcullis.service.Service;
import io.vertx.core.MultiMap;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.function.Supplier;

/**
 * The identity headers an IAP service receives, set after the client's own copies have been stripped:
 * the signed assertion, the convenience headers, and with {@code iapCompatible} Google IAP's spelling of
 * both. An assertion is signed on the first request of a caller to a service and reused until two minutes
 * before it expires, so signing (an ES256 signature, tens of microseconds) is not on every request. A new
 * one is made at once when the service's assertion settings, the directory (for the groups claim) or the
 * signing key change, because each is part of the reuse key.
 */
public final class UpstreamIdentity {
  public static final String ASSERTION = "x-portcullis-jwt-assertion";
  public static final String USER_EMAIL = "x-portcullis-user-email";
  public static final String USER_ID = "x-portcullis-user-id";
  public static final String IAP_ASSERTION = "x-goog-iap-jwt-assertion";
  public static final String IAP_USER_EMAIL = "x-goog-authenticated-user-email";
  public static final String IAP_USER_ID = "x-goog-authenticated-user-id";
  /** As Google IAP: at most ten minutes. */
  public static final Duration LIFETIME = Duration.ofMinutes(10);
  static final Duration REUSE_UNTIL_BEFORE_EXPIRY = Duration.ofMinutes(2);

  private final SigningKeys keys;
  private final AssertionSettings settings;
  private final Supplier<DirectorySnapshot> directory;
  private final Clock clock;
  private final Cache<Key, Issued> issued = Caffeine.newBuilder()
      .maximumSize(100_000)
      .expireAfterWrite(LIFETIME)
      .build();

  public UpstreamIdentity(SigningKeys keys, AssertionSettings settings, Supplier<DirectorySnapshot> directory,
      Clock clock) {
    this.keys = keys;
    this.settings = settings;
    this.directory = directory;
    this.clock = clock;
  }

  /**
   * Sets the identity headers for a request let on to an IAP service. {@code caller} is null for an
   * anonymous caller let in by an {@code allUsers} binding: as Google IAP, the assertion then carries no
   * {@code sub} and no {@code email}, and no user headers are sent. {@code callerKey} tells callers apart
   * for reuse (the session's id hash).
   */
  public void apply(MultiMap headers, Service service, Identity caller, String callerKey) {
    Issued a = assertionFor(service, caller, callerKey);
    headers.set(ASSERTION, a.assertion());
    if (caller != null) {
      headers.set(USER_EMAIL, caller.email());
      headers.set(USER_ID, caller.subject());
    }
    if (a.iapAssertion() != null) {
      headers.set(IAP_ASSERTION, a.iapAssertion());
      if (caller != null) {
        headers.set(IAP_USER_EMAIL, settings.iapIdentityPrefix() + caller.email());
        headers.set(IAP_USER_ID, settings.iapIdentityPrefix() + caller.subject());
      }
    }
  }

  /** The published keys, for the JWKS endpoints. */
  public String jwks() {
    return keys.jwks();
  }

  Issued assertionFor(Service service, Identity caller, String callerKey) {
    DirectorySnapshot dir = service.assertion().groups() && caller != null ? directory.get() : null;
    Key key = new Key(caller == null ? "" : callerKey, service.assertion().audienceFor(service), service.assertion(),
        dir == null ? -1 : dir.version(), keys.currentKid());
    Instant now = clock.instant();
    Issued found = issued.getIfPresent(key);
    if (found != null && now.isBefore(found.reuseUntil())) {
      return found;
    }
    Issued made = issue(service, caller, dir, now);
    issued.put(key, made);
    return made;
  }

  private Issued issue(Service service, Identity caller, DirectorySnapshot dir, Instant now) {
    Instant iat = now.truncatedTo(ChronoUnit.SECONDS);
    Instant exp = iat.plus(LIFETIME);
    List<String> groups = dir == null ? null : List.copyOf(dir.groupsOf("user:" + caller.email()));
    String audience = service.assertion().audienceFor(service);
    String ours = keys.sign(claims(settings.issuer(), audience, caller, "", groups, iat, exp));
    String iap = service.assertion().iapCompatible()
        ? keys.sign(claims(settings.iapIssuer(), audience, caller, settings.iapIdentityPrefix(), groups, iat, exp))
        : null;
    return new Issued(ours, iap, exp.minus(REUSE_UNTIL_BEFORE_EXPIRY));
  }

  /** Google IAP's claim names: only {@code sub} takes the identity prefix, never {@code email}. */
  private static JWTClaimsSet claims(String issuer, String audience, Identity caller, String subjectPrefix,
      List<String> groups, Instant iat, Instant exp) {
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
        .issuer(issuer)
        .audience(audience)
        .issueTime(Date.from(iat))
        .expirationTime(Date.from(exp));
    if (caller != null) {
      b.subject(subjectPrefix + caller.subject()).claim("email", caller.email());
      caller.hostedDomain().ifPresent(hd -> b.claim("hd", hd));
    }
    if (groups != null) {
      b.claim("groups", groups);
    }
    return b.build();
  }

  /** Everything an assertion's content depends on, so that a reused one is always the one that would be made. */
  private record Key(String caller, String audience, AssertionOptions options, long directoryVersion, String kid) {}

  record Issued(String assertion, String iapAssertion, Instant reuseUntil) {}
}
