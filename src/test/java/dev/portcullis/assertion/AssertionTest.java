package dev.portcullis.assertion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.portcullis.authn.User;
import dev.portcullis.authn.local.LocalAccounts;
import dev.portcullis.testing.Clients;
import dev.portcullis.testing.Clients.Reply;
import dev.portcullis.testing.SignedInSessions;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signed assertion end to end: a real Portcullis, a real upstream that echoes what it received, and an
 * app-side verifier (Nimbus) that knows nothing but the published key URL, the issuer and its audience.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AssertionTest {
  static final String ISSUER = "https://auth.localhost";

  Upstreams upstreams;
  TestPortcullis portcullis;
  HttpClient client;
  LocalAccounts accounts;
  SignedInSessions signedIn;
  final AtomicInteger names = new AtomicInteger();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    portcullis = TestPortcullis.start(dir, Map.of("assertion.iap_issuer", "https://cloud.google.com/iap"));
    client = upstreams.vertx().createHttpClient();
    accounts = portcullis.portcullis().accounts().orElseThrow();
    signedIn = new SignedInSessions(portcullis, client);
    String echo = upstreams.http(Clients.echo());
    String cached = upstreams.http(req -> req.response().putHeader("cache-control", "public, max-age=60").end("ok"));
    portcullis.createService("app", echo, new JsonObject().put("iap", true).put("assertionGroups", true));
    portcullis.createService("other", echo, new JsonObject().put("iap", true));
    portcullis.createService("compat", echo, new JsonObject().put("iap", true).put("iapCompatible", true)
        .put("assertionAudience", "/projects/123456/global/backendServices/789"));
    portcullis.createService("cacheable", cached, new JsonObject().put("iap", true));
    portcullis.createService("public", echo, new JsonObject().put("iap", true));
    portcullis.createService("open", echo);
    portcullis.grant("projects/default/services/app", "roles/iap.httpsResourceAccessor", "allAuthenticatedUsers");
    portcullis.grant("projects/default/services/other", "roles/iap.httpsResourceAccessor", "allAuthenticatedUsers");
    portcullis.grant("projects/default/services/compat", "roles/iap.httpsResourceAccessor", "allAuthenticatedUsers");
    portcullis.grant("projects/default/services/cacheable", "roles/iap.httpsResourceAccessor", "allAuthenticatedUsers");
    portcullis.grant("projects/default/services/public", "roles/iap.httpsResourceAccessor", "allUsers");
  }

  @AfterAll
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
  }

  User user() {
    return accounts.create("person-" + names.incrementAndGet() + "@example.com", Optional.of("Someone"),
        "a password here");
  }

  Reply get(String service, String cookie) {
    var options = Clients.to(portcullis, service, HttpMethod.GET, "/").putHeader("accept", "application/json");
    if (cookie != null) {
      options.putHeader("cookie", "portcullis=" + cookie);
    }
    return Clients.send(client, options);
  }

  /** What the upstream saw of one header: exactly one value expected. */
  static String seenOnce(Reply r, String name) {
    assertThat(Clients.seen(r.json(), name)).as(name).hasSize(1);
    return Clients.seen(r.json(), name).get(0);
  }

  /** An app's verifier: the key set fetched over HTTP from Portcullis, then issuer, audience, times. */
  JWTClaimsSet verify(String jwt, String issuer, String audience) throws Exception {
    JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(
            URI.create("http://127.0.0.1:" + portcullis.port() + "/_portcullis/jwks").toURL())
        .refreshAheadCache(false).cache(false).rateLimited(false).retrying(false).build();
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, keys));
    processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(audience,
        new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("iat", "exp")));
    return processor.process(jwt, null);
  }

  @Test
  void assertion_verifiesWithNimbusAgainstTheJwksFetchedOverHttp_andCarriesTheDocumentedClaims() throws Exception {
    User u = user();
    Reply r = get("other", signedIn.signIn(u, "other").cookie());
    assertThat(r.status()).isEqualTo(200);
    String jwt = seenOnce(r, "x-portcullis-jwt-assertion");

    JWTClaimsSet claims = verify(jwt, ISSUER, "/projects/default/services/other");

    SignedJWT parsed = SignedJWT.parse(jwt);
    assertThat(parsed.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(parsed.getHeader().getKeyID()).isNotBlank();
    assertThat(claims.getSubject()).isEqualTo(u.identity().subject()).startsWith("local:");
    assertThat(claims.getStringClaim("email")).isEqualTo(u.identity().email());
    assertThat(claims.getAudience()).containsExactly("/projects/default/services/other");
    long lifetime = claims.getExpirationTime().getTime() - claims.getIssueTime().getTime();
    assertThat(lifetime).isEqualTo(600_000);
    assertThat(claims.getIssueTime().toInstant()).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
    assertThat(claims.getClaim("groups")).as("groups only where the service opts in").isNull();
    assertThat(seenOnce(r, "x-portcullis-user-email")).isEqualTo(u.identity().email());
    assertThat(seenOnce(r, "x-portcullis-user-id")).isEqualTo(u.identity().subject());
    assertThat(Clients.seen(r.json(), "x-goog-iap-jwt-assertion")).isEmpty();
  }

  @Test
  void wellKnownJwksOnTheSignInHost_isTheSameKeySet_withPublicKeysOnly() throws Exception {
    Reply wellKnown = Clients.send(client, Clients.to(portcullis, "auth", HttpMethod.GET, "/.well-known/jwks.json"));
    Reply onService = Clients.send(client, Clients.to(portcullis, "other", HttpMethod.GET, "/_portcullis/jwks"));
    assertThat(wellKnown.status()).isEqualTo(200);
    assertThat(wellKnown.header("content-type")).isEqualTo("application/json");
    assertThat(wellKnown.text()).isEqualTo(onService.text());
    JWKSet set = JWKSet.parse(wellKnown.text());
    assertThat(set.getKeys()).hasSize(2).allSatisfy(k -> {
      assertThat(k.isPrivate()).isFalse();
      assertThat(k.getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
      assertThat(k.getKeyUse().identifier()).isEqualTo("sig");
    });
    assertThat(wellKnown.text()).doesNotContain("\"d\"");
  }

  @Test
  void anAssertionForOneService_isRefusedByAnotherServicesAudienceCheck() throws Exception {
    User u = user();
    String forOther = seenOnce(get("other", signedIn.signIn(u, "other").cookie()), "x-portcullis-jwt-assertion");

    assertThat(verify(forOther, ISSUER, "/projects/default/services/other").getSubject()).isNotNull();
    assertThatThrownBy(() -> verify(forOther, ISSUER, "/projects/default/services/app"))
        .isInstanceOf(BadJOSEException.class).hasMessageContaining("aud claim rejected");
    assertThatThrownBy(() -> verify(forOther, "https://cloud.google.com/iap", "/projects/default/services/other"))
        .isInstanceOf(BadJOSEException.class);
  }

  @Test
  void anAssertion_isReusedWithinASession_andNotAcrossSessionsOrServices() {
    User u = user();
    String cookie = signedIn.signIn(u, "other").cookie();
    String first = seenOnce(get("other", cookie), "x-portcullis-jwt-assertion");
    String second = seenOnce(get("other", cookie), "x-portcullis-jwt-assertion");
    String otherSession = seenOnce(get("other", signedIn.signIn(u, "other").cookie()), "x-portcullis-jwt-assertion");
    String otherService = seenOnce(get("app", signedIn.signIn(u, "app").cookie()), "x-portcullis-jwt-assertion");

    assertThat(second).isEqualTo(first);
    assertThat(otherSession).isNotEqualTo(first);
    assertThat(otherService).isNotEqualTo(first);
  }

  @Test
  void groups_areListedWhereTheServiceOptsIn_andFollowADirectoryChangeAtOnce() throws Exception {
    User u = user();
    String group = "readers-" + names.incrementAndGet() + "@example.com";
    assertThat(portcullis.admin("POST", "/v1/groups", new JsonObject().put("email", group)).status()).isEqualTo(201);
    String cookie = signedIn.signIn(u, "app").cookie();
    JWTClaimsSet before = verify(seenOnce(get("app", cookie), "x-portcullis-jwt-assertion"), ISSUER,
        "/projects/default/services/app");
    assertThat(portcullis.admin("POST", "/v1/groups/" + group + "/members",
        new JsonObject().put("member", "user:" + u.identity().email())).status()).isEqualTo(201);

    JWTClaimsSet after = verify(seenOnce(get("app", cookie), "x-portcullis-jwt-assertion"), ISSUER,
        "/projects/default/services/app");

    assertThat(before.getStringListClaim("groups")).isEmpty();
    assertThat(after.getStringListClaim("groups")).containsExactly(group);
  }

  @Test
  void iapCompatibleService_getsGoogleHeadersAndClaimShapes_verifiableAsAnIapAppWould() throws Exception {
    User u = user();
    Reply r = get("compat", signedIn.signIn(u, "compat").cookie());
    String audience = "/projects/123456/global/backendServices/789";

    JWTClaimsSet iap = verify(seenOnce(r, "x-goog-iap-jwt-assertion"), "https://cloud.google.com/iap", audience);
    JWTClaimsSet ours = verify(seenOnce(r, "x-portcullis-jwt-assertion"), ISSUER, audience);

    assertThat(iap.getSubject()).isEqualTo("accounts.google.com:" + u.identity().subject());
    assertThat(iap.getStringClaim("email")).as("no prefix on the claim, as IAP").isEqualTo(u.identity().email());
    assertThat(seenOnce(r, "x-goog-authenticated-user-email")).isEqualTo("accounts.google.com:" + u.identity().email());
    assertThat(seenOnce(r, "x-goog-authenticated-user-id")).isEqualTo("accounts.google.com:" + u.identity().subject());
    assertThat(ours.getSubject()).isEqualTo(u.identity().subject());
    assertThat(seenOnce(r, "x-portcullis-user-email")).isEqualTo(u.identity().email());
  }

  @Test
  void anonymousCallerLetInByAllUsers_getsAnAssertionWithoutIdentity_andNoUserHeaders() throws Exception {
    Reply r = get("public", null);
    assertThat(r.status()).isEqualTo(200);

    JWTClaimsSet claims = verify(seenOnce(r, "x-portcullis-jwt-assertion"), ISSUER, "/projects/default/services/public");

    assertThat(claims.getSubject()).isNull();
    assertThat(claims.getClaim("email")).isNull();
    assertThat(Clients.seen(r.json(), "x-portcullis-user-email")).isEmpty();
    assertThat(Clients.seen(r.json(), "x-portcullis-user-id")).isEmpty();
    assertThat(r.header("cache-control")).as("not a signed-in caller's response").isNull();
  }

  @Test
  void servicesWithoutIap_getNoAssertion() {
    Reply r = get("open", null);
    assertThat(Clients.seenNames(r.json())).noneMatch(n -> n.startsWith("x-portcullis-") || n.startsWith("x-goog-"));
    assertThat(r.header("cache-control")).isNull();
  }

  @Test
  void responsesToSignedInCallers_arePrivateUnlessTheUpstreamSaidOtherwise() {
    User u = user();
    Reply echoed = get("other", signedIn.signIn(u, "other").cookie());
    Reply cacheable = get("cacheable", signedIn.signIn(u, "cacheable").cookie());

    assertThat(echoed.header("cache-control")).isEqualTo("private");
    assertThat(cacheable.headers().getAll("cache-control")).containsExactly("public, max-age=60");
  }

  @Test
  void serviceJson_showsTheAudienceInEffect_andTheOverride() {
    JsonObject other = portcullis.admin("GET", "/v1/services/other", null).body();
    JsonObject compat = portcullis.admin("GET", "/v1/services/compat", null).body();
    assertThat(other.getString("expectedAudience")).isEqualTo("/projects/default/services/other");
    assertThat(other.getValue("assertionAudience")).isNull();
    assertThat(compat.getString("assertionAudience")).isEqualTo("/projects/123456/global/backendServices/789");
    assertThat(compat.getBoolean("iapCompatible")).isTrue();
    JsonArray errors = portcullis.admin("PATCH", "/v1/services/other",
        new JsonObject().put("assertionAudience", "has spaces")).body().getJsonObject("error").getJsonArray("details",
        new JsonArray());
    assertThat(portcullis.admin("PATCH", "/v1/services/other", new JsonObject().put("assertionAudience", "has spaces"))
        .status()).isEqualTo(400);
    assertThat(errors.encode()).contains("assertionAudience");
  }
}
