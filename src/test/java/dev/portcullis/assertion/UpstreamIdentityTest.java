package dev.portcullis.assertion;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.authn.Identity;
import dev.portcullis.config.AssertionSettings;
import dev.portcullis.config.MasterKey;
import dev.portcullis.directory.DirectorySnapshot;
import dev.portcullis.service.AccessDenied;
import dev.portcullis.service.AssertionOptions;
import dev.portcullis.service.Ingress;
import dev.portcullis.service.Service;
import dev.portcullis.service.Timeouts;
import dev.portcullis.store.Database;
import dev.portcullis.store.SigningKeyRepository;
import dev.portcullis.store.SessionRepository;
import dev.portcullis.session.Sessions;
import io.vertx.core.MultiMap;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reuse of assertions over time, with an injected clock. */
class UpstreamIdentityTest {
  static final Identity ANA = new Identity("u1", "local:u1", "ana@example.com", "local");

  @TempDir Path dir;
  Database database;
  Instant now = Instant.parse("2026-11-23T10:00:00.250Z");
  final Clock clock = new Clock() {
    @Override public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override public Instant instant() {
      return now;
    }
  };
  SigningKeys keys;
  UpstreamIdentity identity;

  @BeforeEach
  void open() {
    database = Database.openSqlite(dir.resolve("store.db"));
    keys = SigningKeys.open(new SigningKeyRepository(database), MasterKey.generate(), clock);
    identity = new UpstreamIdentity(keys, new AssertionSettings("https://auth.example.com", "https://cloud.google.com/iap",
        "accounts.google.com:", Optional.empty()), DirectorySnapshot::empty, clock);
  }

  @AfterEach
  void close() {
    database.close();
  }

  static Service service(String name, AssertionOptions options) {
    return new Service(name, "default", URI.create("http://127.0.0.1:1"), List.of(), true, Ingress.ALL,
        Timeouts.DEFAULTS, Optional.empty(), AccessDenied.NONE, options, false, 1, Instant.EPOCH, Instant.EPOCH);
  }

  String assertion(Service s, Identity who, String session) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    identity.apply(headers, s, who, session);
    return headers.get(UpstreamIdentity.ASSERTION);
  }

  @Test
  void reusedUntilTwoMinutesBeforeExpiry_thenSignedAfresh() throws Exception {
    Service dash = service("dash", AssertionOptions.DEFAULTS);
    String first = assertion(dash, ANA, "s1");
    now = now.plus(Duration.ofMinutes(8)).minusSeconds(1);
    String stillFirst = assertion(dash, ANA, "s1");
    now = now.plusSeconds(1);
    String second = assertion(dash, ANA, "s1");

    assertThat(stillFirst).isEqualTo(first);
    assertThat(second).isNotEqualTo(first);
    var claims = SignedJWT.parse(second).getJWTClaimsSet();
    assertThat(claims.getIssueTime().toInstant()).isEqualTo(Instant.parse("2026-11-23T10:08:00Z"));
    assertThat(claims.getExpirationTime().toInstant()).isEqualTo(Instant.parse("2026-11-23T10:18:00Z"));
  }

  @Test
  void aChangedAudience_orARotation_signsAfreshAtOnce() throws Exception {
    String before = assertion(service("dash", AssertionOptions.DEFAULTS), ANA, "s1");
    String otherAudience = assertion(service("dash", new AssertionOptions(Optional.of("/projects/9/apps/x"), false,
        false)), ANA, "s1");
    keys.rotate();
    String afterRotation = assertion(service("dash", AssertionOptions.DEFAULTS), ANA, "s1");

    assertThat(SignedJWT.parse(otherAudience).getJWTClaimsSet().getAudience()).containsExactly("/projects/9/apps/x");
    assertThat(afterRotation).isNotEqualTo(before);
    assertThat(SignedJWT.parse(afterRotation).getHeader().getKeyID()).isEqualTo(keys.currentKid())
        .isNotEqualTo(SignedJWT.parse(before).getHeader().getKeyID());
  }

  @Test
  void everyAssertion_verifiesWithThePublishedKeyOfItsKid() throws Exception {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    identity.apply(headers, service("dash", new AssertionOptions(Optional.empty(), false, true)), ANA, "s1");
    JWKSet published = JWKSet.parse(keys.jwks());

    for (String name : List.of(UpstreamIdentity.ASSERTION, UpstreamIdentity.IAP_ASSERTION)) {
      SignedJWT jwt = SignedJWT.parse(headers.get(name));
      ECKey key = (ECKey) published.getKeyByKeyId(jwt.getHeader().getKeyID());
      assertThat(jwt.verify(new ECDSAVerifier(key))).as(name).isTrue();
    }
    assertThat(SignedJWT.parse(headers.get(UpstreamIdentity.IAP_ASSERTION)).getJWTClaimsSet().getIssuer())
        .isEqualTo("https://cloud.google.com/iap");
  }

  @Test
  void anonymousCallers_shareOneAssertionPerService_withoutIdentity() throws Exception {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    identity.apply(headers, service("open", AssertionOptions.DEFAULTS), null, null);
    String again = assertion(service("open", AssertionOptions.DEFAULTS), null, null);

    assertThat(again).isEqualTo(headers.get(UpstreamIdentity.ASSERTION));
    assertThat(headers.names()).containsExactly(UpstreamIdentity.ASSERTION);
    var claims = SignedJWT.parse(again).getJWTClaimsSet();
    assertThat(claims.getSubject()).isNull();
    assertThat(claims.getClaims()).containsOnlyKeys("iss", "aud", "iat", "exp");
  }

  @Test
  void hostedDomain_fromTheSignIn_isTheHdClaim_andSurvivesTheStore() throws Exception {
    Identity workspace = ANA.withHostedDomain(Optional.of("example.com"));
    Sessions sessions = new Sessions(new SessionRepository(database), clock, Duration.ofHours(8), Duration.ofHours(1),
        Runnable::run);
    Sessions.Created central = sessions.createCentral(workspace, "auth.example.com", null, "127.0.0.1", "test");
    Sessions.Created host = sessions.createForHost(central.session(), "dash.example.com", "127.0.0.1", "test")
        .orElseThrow();
    Identity stored = new SessionRepository(database).find(host.session().idHash()).orElseThrow().identity();

    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    identity.apply(headers, service("dash", new AssertionOptions(Optional.empty(), false, true)), stored, "s1");

    assertThat(stored.hostedDomain()).contains("example.com");
    assertThat(SignedJWT.parse(headers.get(UpstreamIdentity.ASSERTION)).getJWTClaimsSet().getStringClaim("hd"))
        .isEqualTo("example.com");
    assertThat(SignedJWT.parse(headers.get(UpstreamIdentity.IAP_ASSERTION)).getJWTClaimsSet().getStringClaim("hd"))
        .isEqualTo("example.com");
    assertThat(SignedJWT.parse(assertion(service("dash", AssertionOptions.DEFAULTS), ANA, "s2")).getJWTClaimsSet()
        .getClaim("hd")).as("none without one from the provider").isNull();
  }
}
