package dev.portcullis.authn.workload;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.iam.PredefinedRoles;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestIdp;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Service-account JWTs at the gateway, end to end: keys made through the admin API, tokens signed as a
 * caller would, requests through a real Portcullis to a real upstream that echoes what it received.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceAccountJwtTest {
  Upstreams upstreams;
  TestPortcullis portcullis;
  String upstream;
  final AtomicInteger ids = new AtomicInteger();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    upstream = upstreams.http(req -> req.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("path", req.path())
            .put("authorization", req.getHeader("authorization"))
            .put("proxyAuthorization", req.getHeader("proxy-authorization"))
            .put("assertion", req.getHeader("x-portcullis-jwt-assertion"))
            .put("userEmail", req.getHeader("x-portcullis-user-email")).encode()));
    portcullis = TestPortcullis.start(dir.resolve("data"));
  }

  @AfterAll
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
  }

  /** A fresh account with one key, allowed on a fresh IAP service. */
  record Caller(String email, KeyFile key, String service) {}

  Caller caller() {
    int n = ids.incrementAndGet();
    String email = account("caller-" + n);
    String service = "svc-" + n;
    portcullis.createService(service, upstream, new JsonObject().put("iap", true));
    portcullis.grant("projects/default/services/" + service, PredefinedRoles.ACCESSOR, "serviceAccount:" + email);
    return new Caller(email, key(email), service);
  }

  String account(String id) {
    TestPortcullis.AdminResponse r = portcullis.admin("POST", "/v1/serviceAccounts",
        new JsonObject().put("accountId", id));
    assertThat(r.status()).as(r.body().encode()).isEqualTo(201);
    return r.body().getString("email");
  }

  KeyFile key(String email) {
    TestPortcullis.AdminResponse r = portcullis.admin("POST", "/v1/serviceAccounts/" + email + "/keys", null);
    assertThat(r.status()).as(r.body().encode()).isEqualTo(201);
    return KeyFile.parse(r.body().getJsonObject("keyFile").encode());
  }

  String url(String service, String path) {
    return "http://" + portcullis.hostOf(service) + path;
  }

  String token(Caller c, String aud) {
    return c.key().sign(aud, Instant.now(), Duration.ofMinutes(10));
  }

  /** Any claims and header, signed with any key: what an attacker can make. */
  static String signed(RSAKey key, String kid, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).type(JOSEObjectType.JWT)
        .build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  static JWTClaimsSet claims(String email, String aud, Instant iat, Instant exp) {
    return new JWTClaimsSet.Builder().issuer(email).subject(email).audience(aud)
        .issueTime(Date.from(iat)).expirationTime(Date.from(exp)).build();
  }

  RawHttp.Reply get(String service, String path, String... headers) throws Exception {
    String[] lines = new String[headers.length + 3];
    lines[0] = "GET " + path + " HTTP/1.1";
    lines[1] = "Host: " + portcullis.hostOf(service);
    System.arraycopy(headers, 0, lines, 2, headers.length);
    lines[lines.length - 1] = "Connection: close";
    return RawHttp.send(portcullis.port(), lines);
  }

  static void assertInvalidToken(RawHttp.Reply r) {
    assertThat(r.status()).as(r.bodyText()).isEqualTo(401);
    assertThat(r.header("www-authenticate")).startsWith("Bearer ").contains("error=\"invalid_token\"")
        .contains("error_description=\"");
    assertThat(r.header("location")).isNull();
    assertThat(r.header("content-type")).startsWith("application/json");
    assertThat(r.json().getJsonObject("error").getString("status")).isEqualTo("UNAUTHENTICATED");
  }

  @Test
  void validJwt_isAccepted_andAuthorizationIsNotForwarded() throws Exception {
    Caller c = caller();
    RawHttp.Reply r = get(c.service(), "/reports?x=1", "Authorization: Bearer " + token(c, url(c.service(), "/reports")));
    assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
    assertThat(r.json().getString("authorization")).isNull();
    // The app is told who called, in the signed assertion, as for a person.
    assertThat(r.json().getString("userEmail")).isEqualTo(c.email());
    com.nimbusds.jwt.JWTClaimsSet claims = com.nimbusds.jwt.SignedJWT.parse(r.json().getString("assertion"))
        .getJWTClaimsSet();
    assertThat(claims.getSubject()).isEqualTo("serviceAccount:" + c.email());
    assertThat(claims.getStringClaim("email")).isEqualTo(c.email());
    // The same token again: from the cache, still accepted.
    assertThat(get(c.service(), "/reports", "Authorization: Bearer " + token(c, url(c.service(), "/reports")))
        .status()).isEqualTo(200);
  }

  @Test
  void proxyAuthorization_isUsed_andTheAppsAuthorizationReachesItUntouched() throws Exception {
    Caller c = caller();
    RawHttp.Reply r = get(c.service(), "/", "Proxy-Authorization: Bearer " + token(c, url(c.service(), "/")),
        "Authorization: Bearer the-apps-own-token");
    assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
    assertThat(r.json().getString("authorization")).isEqualTo("Bearer the-apps-own-token");
    assertThat(r.json().getString("proxyAuthorization")).isNull();
  }

  @Test
  void invalidBearer_isNeverARedirect_evenForABrowserNavigation() throws Exception {
    Caller c = caller();
    assertInvalidToken(get(c.service(), "/", "Accept: text/html", "Authorization: Bearer not-a-jwt"));
    assertInvalidToken(get(c.service(), "/", "Accept: text/html", "Proxy-Authorization: Bearer not-a-jwt",
        "Authorization: Bearer " + token(c, url(c.service(), "/"))));
  }

  @Test
  void invalidBearer_neverFallsBackToAValidSessionCookie() throws Exception {
    Caller c = caller();
    String person = "cookie-" + ids.incrementAndGet() + "@example.com";
    portcullis.grant("projects/default/services/" + c.service(), PredefinedRoles.ACCESSOR, "user:" + person);
    var user = portcullis.portcullis().accounts().orElseThrow()
        .create(person, java.util.Optional.empty(), "a long enough password");
    var sessions = portcullis.portcullis().sessions();
    var central = sessions.createCentral(user.identity(), portcullis.portcullis().settings().authHost(), null,
        "127.0.0.1", "test");
    String cookie = sessions.createForHost(central.session(), c.service() + ".localhost", "127.0.0.1", "test")
        .orElseThrow().cookieValue();
    assertThat(get(c.service(), "/", "Cookie: portcullis=" + cookie).status()).isEqualTo(200);
    assertInvalidToken(get(c.service(), "/", "Cookie: portcullis=" + cookie, "Authorization: Bearer not-a-jwt"));
  }

  @Test
  void expiredJwt_isRefused() throws Exception {
    Caller c = caller();
    Instant iat = Instant.now().minus(Duration.ofHours(2));
    String t = signed(c.key().key(), c.key().keyId(), claims(c.email(), url(c.service(), "/"), iat,
        iat.plus(Duration.ofMinutes(30))));
    assertInvalidToken(get(c.service(), "/", "Authorization: Bearer " + t));
  }

  @Test
  void expMoreThanAnHourAfterIat_isRefused() throws Exception {
    Caller c = caller();
    Instant iat = Instant.now().minusSeconds(5);
    String t = signed(c.key().key(), c.key().keyId(), claims(c.email(), url(c.service(), "/"), iat,
        iat.plus(Duration.ofMinutes(61))));
    assertInvalidToken(get(c.service(), "/", "Authorization: Bearer " + t));
  }

  @Test
  void iatInTheFuture_isRefused() throws Exception {
    Caller c = caller();
    Instant iat = Instant.now().plus(Duration.ofMinutes(5));
    String t = signed(c.key().key(), c.key().keyId(), claims(c.email(), url(c.service(), "/"), iat,
        iat.plus(Duration.ofMinutes(10))));
    assertInvalidToken(get(c.service(), "/", "Authorization: Bearer " + t));
  }

  @Test
  void wrongAudience_anotherServicesUrl_isRefused() throws Exception {
    Caller c = caller();
    Caller other = caller();
    assertInvalidToken(get(c.service(), "/", "Authorization: Bearer " + token(c, url(other.service(), "/"))));
    assertInvalidToken(get(c.service(), "/a", "Authorization: Bearer " + token(c, url(c.service(), "/b"))));
    // Another service's URL as a wildcard does not reach this one either.
    assertInvalidToken(get(c.service(), "/", "Authorization: Bearer " + token(c, url(other.service(), "/*"))));
  }

  @Test
  void wildcardAudience_grantsEveryPathUnderIt() throws Exception {
    Caller c = caller();
    String t = token(c, url(c.service(), "/api/*"));
    assertThat(get(c.service(), "/api/v1/items", "Authorization: Bearer " + t).status()).isEqualTo(200);
    assertInvalidToken(get(c.service(), "/admin", "Authorization: Bearer " + t));
    String all = token(c, url(c.service(), "/*"));
    assertThat(get(c.service(), "/anything/at/all", "Authorization: Bearer " + all).status()).isEqualTo(200);
  }

  @Test
  void unknownKey_isRefused() throws Exception {
    Caller c = caller();
    String t = signed(c.key().key(), "0123456789abcdef0123456789abcdef01234567",
        claims(c.email(), url(c.service(), "/"), Instant.now(), Instant.now().plusSeconds(600)));
    assertInvalidToken(get(c.service(), "/", "Authorization: Bearer " + t));
  }

  @Test
  void signatureByAnotherKey_withTheAccountsKid_isRefused() throws Exception {
    Caller c = caller();
    String t = signed(TestIdp.newKey("x"), c.key().keyId(),
        claims(c.email(), url(c.service(), "/"), Instant.now(), Instant.now().plusSeconds(600)));
    assertInvalidToken(get(c.service(), "/", "Authorization: Bearer " + t));
  }

  @Test
  void kidOfAnotherAccount_isRefused() throws Exception {
    Caller victim = caller();
    Caller attacker = caller();
    // The attacker signs with its own key and names it, but claims to be the victim.
    String t = signed(attacker.key().key(), attacker.key().keyId(),
        claims(victim.email(), url(victim.service(), "/"), Instant.now(), Instant.now().plusSeconds(600)));
    assertInvalidToken(get(victim.service(), "/", "Authorization: Bearer " + t));
  }

  @Test
  void issDifferentFromSub_isRefused() throws Exception {
    Caller c = caller();
    JWTClaimsSet claims = new JWTClaimsSet.Builder(claims(c.email(), url(c.service(), "/"), Instant.now(),
        Instant.now().plusSeconds(600))).subject("someone-else@default.iam.portcullis.internal").build();
    assertInvalidToken(get(c.service(), "/", "Authorization: Bearer " + signed(c.key().key(), c.key().keyId(),
        claims)));
  }

  @Test
  void algNone_isRefused() throws Exception {
    Caller c = caller();
    String t = new PlainJWT(claims(c.email(), url(c.service(), "/"), Instant.now(), Instant.now().plusSeconds(600)))
        .serialize();
    assertInvalidToken(get(c.service(), "/", "Authorization: Bearer " + t));
  }

  @Test
  void hs256SignedWithThePublicKey_isRefused() throws Exception {
    Caller c = caller();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(c.key().keyId()).build(),
        claims(c.email(), url(c.service(), "/"), Instant.now(), Instant.now().plusSeconds(600)));
    jwt.sign(new MACSigner(c.key().key().toRSAPublicKey().getEncoded()));
    assertInvalidToken(get(c.service(), "/", "Authorization: Bearer " + jwt.serialize()));
  }

  @Test
  void embeddedJwkHeader_isNeverUsedToVerify() throws Exception {
    Caller c = caller();
    RSAKey attacker = TestIdp.newKey(c.key().keyId());
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(c.key().keyId())
        .jwk(attacker.toPublicJWK()).build(),
        claims(c.email(), url(c.service(), "/"), Instant.now(), Instant.now().plusSeconds(600)));
    jwt.sign(new RSASSASigner(attacker));
    assertInvalidToken(get(c.service(), "/", "Authorization: Bearer " + jwt.serialize()));
  }

  @Test
  void disabledAccount_isRefused_evenForATokenAcceptedJustBefore() throws Exception {
    Caller c = caller();
    String t = token(c, url(c.service(), "/*"));
    assertThat(get(c.service(), "/", "Authorization: Bearer " + t).status()).isEqualTo(200);
    assertThat(portcullis.admin("POST", "/v1/serviceAccounts/" + c.email() + ":disable", new JsonObject()).status())
        .isEqualTo(200);
    assertInvalidToken(get(c.service(), "/", "Authorization: Bearer " + t));
    // A token made after the disable is refused too.
    assertInvalidToken(get(c.service(), "/", "Authorization: Bearer " + token(c, url(c.service(), "/"))));
    portcullis.admin("POST", "/v1/serviceAccounts/" + c.email() + ":enable", new JsonObject());
    assertThat(get(c.service(), "/", "Authorization: Bearer " + t).status()).isEqualTo(200);
  }

  @Test
  void deletedKey_isRefused_evenForATokenAcceptedJustBefore() throws Exception {
    Caller c = caller();
    String t = token(c, url(c.service(), "/"));
    assertThat(get(c.service(), "/", "Authorization: Bearer " + t).status()).isEqualTo(200);
    assertThat(portcullis.admin("DELETE", "/v1/serviceAccounts/" + c.email() + "/keys/" + c.key().keyId(), null)
        .status()).isEqualTo(200);
    assertInvalidToken(get(c.service(), "/", "Authorization: Bearer " + t));
  }

  @Test
  void accountWithoutAGrant_getsA403_notA401() throws Exception {
    Caller c = caller();
    Caller ungranted = new Caller(account("nogrant-" + ids.incrementAndGet()), null, c.service());
    KeyFile key = key(ungranted.email());
    RawHttp.Reply r = get(c.service(), "/", "Authorization: Bearer "
        + key.sign(url(c.service(), "/"), Instant.now(), Duration.ofMinutes(5)));
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().getJsonObject("error").getString("status")).isEqualTo("PERMISSION_DENIED");
  }

  @Test
  void bearerToANonIapService_reachesTheAppUntouched() throws Exception {
    portcullis.createService("open-" + ids.incrementAndGet(), upstream);
    String service = "open-" + ids.get();
    RawHttp.Reply r = get(service, "/", "Authorization: Bearer whatever-the-app-uses");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getString("authorization")).isEqualTo("Bearer whatever-the-app-uses");
  }

  @Test
  void keys_listShowsPublicKeysOnly_andTheKeyFileHasGooglesShape() {
    String email = account("keyshape-" + ids.incrementAndGet());
    TestPortcullis.AdminResponse created = portcullis.admin("POST", "/v1/serviceAccounts/" + email + "/keys", null);
    JsonObject file = created.body().getJsonObject("keyFile");
    assertThat(file.getString("type")).isEqualTo("service_account");
    assertThat(file.getString("client_email")).isEqualTo(email);
    assertThat(file.getString("private_key")).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(file.getString("private_key_id")).isEqualTo(created.body().getString("keyId"));
    assertThat(file.getJsonObject("portcullis").getString("audience")).contains("/*");
    TestPortcullis.AdminResponse list = portcullis.admin("GET", "/v1/serviceAccounts/" + email + "/keys", null);
    assertThat(list.status()).isEqualTo(200);
    JsonObject key = list.body().getJsonArray("keys").getJsonObject(0);
    assertThat(key.getString("keyId")).isEqualTo(created.body().getString("keyId"));
    assertThat(key.getJsonObject("publicKey").getString("kty")).isEqualTo("RSA");
    assertThat(key.getJsonObject("publicKey").containsKey("d")).isFalse();
    assertThat(list.body().encode()).doesNotContain("PRIVATE");
  }

  @Test
  void keys_ofAnUnknownAccount_is404() {
    assertThat(portcullis.admin("POST", "/v1/serviceAccounts/nobody-here@default.iam.portcullis.internal/keys",
        null).status()).isEqualTo(404);
  }
}
