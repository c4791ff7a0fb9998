package dev.portcullis.authn.oidc;

import static dev.portcullis.authn.oidc.SignInException.Reason.DISALLOWED_ALGORITHM;
import static dev.portcullis.authn.oidc.SignInException.Reason.EXPIRED;
import static dev.portcullis.authn.oidc.SignInException.Reason.INVALID_SIGNATURE;
import static dev.portcullis.authn.oidc.SignInException.Reason.ISSUED_IN_FUTURE;
import static dev.portcullis.authn.oidc.SignInException.Reason.MALFORMED_TOKEN;
import static dev.portcullis.authn.oidc.SignInException.Reason.NONCE_MISMATCH;
import static dev.portcullis.authn.oidc.SignInException.Reason.UNKNOWN_KEY;
import static dev.portcullis.authn.oidc.SignInException.Reason.WRONG_AUDIENCE;
import static dev.portcullis.authn.oidc.SignInException.Reason.WRONG_AUTHORIZED_PARTY;
import static dev.portcullis.authn.oidc.SignInException.Reason.WRONG_ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.testing.TestIdp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Forged ID tokens against the verifier of a provider discovered from a real in-process OIDC provider,
 * whose JWKS is fetched over HTTP. Every forgery differs from {@link #verify_acceptsTokenSignedByProvider}'s
 * token in one respect only, so each refusal is owed to one check.
 */
class IdTokenVerifierTest {
  private static final String CLIENT_ID = "portcullis";
  private static final String NONCE = "n-0S6_WzA2Mj";
  /** The verifier's clock, a moment in the past: tokens valid "now" in real time would be refused. */
  private static final Instant NOW = Instant.parse("2025-06-01T10:00:00Z");

  private static TestIdp idp;
  private static RSAKey providerKey;

  private IdTokenVerifier verifier;

  @BeforeAll
  static void startIdp() {
    idp = TestIdp.start();
    providerKey = idp.signingKey();
  }

  @AfterAll
  static void stopIdp() {
    idp.close();
  }

  @BeforeEach
  void discover() throws Exception {
    idp.rotateTo(providerKey);
    OidcProviderConfig config = OidcProviderConfig.of("test", "Test", idp.issuer(), CLIENT_ID, Secret.of("x"));
    verifier = OidcProvider.discover(config, Clock.fixed(NOW, ZoneOffset.UTC)).idTokenVerifier();
  }

  private static JWTClaimsSet.Builder valid() {
    return new JWTClaimsSet.Builder()
        .issuer(idp.issuer().toString())
        .subject("user-42")
        .audience(CLIENT_ID)
        .issueTime(Date.from(NOW.minusSeconds(10)))
        .expirationTime(Date.from(NOW.plus(Duration.ofMinutes(5))))
        .claim("nonce", NONCE)
        .claim("email", "alice@example.com")
        .claim("email_verified", true);
  }

  private static String sign(JWTClaimsSet claims, RSAKey key) throws Exception {
    SignedJWT jwt = new SignedJWT(
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  /** Signed by the provider's own key: only the claims can be wrong. */
  private static String byProvider(UnaryOperator<JWTClaimsSet.Builder> change) throws Exception {
    return sign(change.apply(valid()).build(), providerKey);
  }

  private void assertRefused(String token, SignInException.Reason reason) {
    assertRefused(token, NONCE, reason);
  }

  private void assertRefused(String token, String expectedNonce, SignInException.Reason reason) {
    assertThatThrownBy(() -> verifier.verify(token, expectedNonce))
        .isInstanceOfSatisfying(SignInException.class, e -> assertThat(e.reason()).isEqualTo(reason))
        .satisfies(e -> {
          if (token != null && !token.isEmpty()) {
            assertThat(e.getMessage()).doesNotContain(token);
          }
        });
  }

  @Test
  void verify_acceptsTokenSignedByProvider() throws Exception {
    JWTClaimsSet claims = verifier.verify(byProvider(b -> b), NONCE);

    assertThat(claims.getSubject()).isEqualTo("user-42");
    assertThat(claims.getStringClaim("email")).isEqualTo("alice@example.com");
  }

  // --- signature and algorithm ---

  @Test
  void verify_refusesSignatureByAnotherKeyWithSameKid() throws Exception {
    RSAKey impostor = TestIdp.newKey(providerKey.getKeyID());

    assertRefused(sign(valid().build(), impostor), INVALID_SIGNATURE);
  }

  @Test
  void verify_refusesTamperedPayload() throws Exception {
    String[] genuine = byProvider(b -> b).split("\\.");
    String otherPayload = valid().subject("admin").build().toPayload().toBase64URL().toString();

    assertRefused(genuine[0] + "." + otherPayload + "." + genuine[2], INVALID_SIGNATURE);
  }

  @Test
  void verify_refusesAlgNone() {
    String unsigned = new PlainJWT(new PlainHeader.Builder().type(JOSEObjectType.JWT).build(), valid().build())
        .serialize();

    assertRefused(unsigned, DISALLOWED_ALGORITHM);
  }

  @ParameterizedTest
  @ValueSource(strings = {"None", "NONE", "nOnE"})
  void verify_refusesAlgNoneSpelledOtherwise(String alg) {
    String header = b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\",\"kid\":\"" + providerKey.getKeyID() + "\"}");
    String payload = valid().build().toPayload().toBase64URL().toString();

    String someSignature = b64("signature");

    assertRefused(header + "." + payload + "." + someSignature, DISALLOWED_ALGORITHM);
  }

  @Test
  void verify_refusesAlgNoneCarryingTheProvidersSignature() throws Exception {
    String[] genuine = byProvider(b -> b).split("\\.");
    String noneHeader = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");

    assertThatThrownBy(() -> verifier.verify(noneHeader + "." + genuine[1] + "." + genuine[2], NONCE))
        .isInstanceOfSatisfying(SignInException.class,
            e -> assertThat(e.reason()).isIn(DISALLOWED_ALGORITHM, MALFORMED_TOKEN));
  }

  static Stream<Arguments> publicKeyAsHmacSecret() throws Exception {
    // The provider's real public key, as an attacker would read it from the JWKS endpoint.
    HttpResponse<String> jwks = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(idp.issuer() + "/jwks")).build(), HttpResponse.BodyHandlers.ofString());
    RSAKey published = JWKSet.parse(jwks.body()).getKeyByKeyId(providerKey.getKeyID()).toRSAKey();
    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(published.toRSAPublicKey().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    return Stream.of(
        Arguments.of("JWK JSON", published.toJSONString().getBytes(StandardCharsets.UTF_8)),
        Arguments.of("PEM", pem.getBytes(StandardCharsets.US_ASCII)),
        Arguments.of("DER", published.toRSAPublicKey().getEncoded()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("publicKeyAsHmacSecret")
  void verify_refusesHs256SignedWithPublicKey(String form, byte[] publicKeyBytes) throws Exception {
    SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256)
        .keyID(providerKey.getKeyID()).type(JOSEObjectType.JWT).build(), valid().build());
    forged.sign(new MACSigner(publicKeyBytes));

    assertRefused(forged.serialize(), DISALLOWED_ALGORITHM);
  }

  @Test
  void verify_refusesUnknownKidEvenAfterRefresh() throws Exception {
    verifier.verify(byProvider(b -> b), NONCE);
    int fetchesBefore = idp.keyLookups();
    RSAKey stranger = TestIdp.newKey("not-published");

    assertRefused(sign(valid().build(), stranger), UNKNOWN_KEY);
    assertThat(idp.keyLookups() - fetchesBefore).as("JWKS fetched again before refusing").isEqualTo(1);

    // Further unknown kids do not make us hammer the provider.
    assertRefused(sign(valid().build(), TestIdp.newKey("also-not-published")), UNKNOWN_KEY);
    assertThat(idp.keyLookups() - fetchesBefore).isEqualTo(1);
  }

  @Test
  void verify_acceptsRotatedKeyAfterRefresh() throws Exception {
    verifier.verify(byProvider(b -> b), NONCE); // the JWKS with the first key is now cached
    RSAKey next = TestIdp.newKey("key-2");
    idp.rotateTo(next);

    JWTClaimsSet claims = verifier.verify(sign(valid().subject("after-rotation").build(), next), NONCE);

    assertThat(claims.getSubject()).isEqualTo("after-rotation");
  }

  // --- iss, aud, azp ---

  static Stream<String> wrongIssuers() {
    String issuer = idp.issuer().toString();
    return Stream.of(
        issuer + "/",
        issuer.replace("localhost", "127.0.0.1"),
        issuer.replace("http://", "https://"),
        issuer.toUpperCase(java.util.Locale.ROOT),
        "https://evil.test/default",
        "");
  }

  @ParameterizedTest
  @MethodSource("wrongIssuers")
  void verify_refusesWrongIssuer(String issuer) throws Exception {
    assertRefused(byProvider(b -> b.issuer(issuer)), WRONG_ISSUER);
  }

  @Test
  void verify_refusesMissingIssuer() throws Exception {
    assertRefused(byProvider(b -> b.issuer(null)), WRONG_ISSUER);
  }

  @ParameterizedTest
  @ValueSource(strings = {"another-client", "portcullis-evil", "PORTCULLIS", "portcullis "})
  void verify_refusesWrongAudience(String audience) throws Exception {
    assertRefused(byProvider(b -> b.audience(audience)), WRONG_AUDIENCE);
  }

  @Test
  void verify_refusesMissingAudience() throws Exception {
    assertRefused(byProvider(b -> b.audience((String) null)), WRONG_AUDIENCE);
  }

  @Test
  void verify_refusesAzpOfAnotherClient() throws Exception {
    assertRefused(byProvider(b -> b.claim("azp", "another-client")), WRONG_AUTHORIZED_PARTY);
    assertRefused(byProvider(b -> b.audience(List.of(CLIENT_ID, "another-client")).claim("azp", "another-client")),
        WRONG_AUTHORIZED_PARTY);
  }

  @Test
  void verify_refusesSeveralAudiencesWithoutAzp() throws Exception {
    assertRefused(byProvider(b -> b.audience(List.of(CLIENT_ID, "another-client"))), WRONG_AUTHORIZED_PARTY);
  }

  @Test
  void verify_acceptsSeveralAudiencesWithOurAzp() throws Exception {
    String token = byProvider(b -> b.audience(List.of(CLIENT_ID, "another-client")).claim("azp", CLIENT_ID));

    assertThat(verifier.verify(token, NONCE).getSubject()).isEqualTo("user-42");
  }

  // --- exp, iat, nbf ---

  @Test
  void verify_refusesExpired() throws Exception {
    assertRefused(byProvider(b -> b.expirationTime(Date.from(NOW.minusSeconds(61)))), EXPIRED);
    assertRefused(byProvider(b -> b.issueTime(Date.from(NOW.minus(Duration.ofHours(2))))
        .expirationTime(Date.from(NOW.minus(Duration.ofHours(1))))), EXPIRED);
  }

  @Test
  void verify_toleratesSmallClockSkewOnExpiry() throws Exception {
    String token = byProvider(b -> b.expirationTime(Date.from(NOW.minusSeconds(30))));

    assertThat(verifier.verify(token, NONCE).getSubject()).isEqualTo("user-42");
  }

  @Test
  void verify_refusesMissingExpiry() throws Exception {
    assertRefused(byProvider(b -> b.expirationTime(null)), MALFORMED_TOKEN);
  }

  @Test
  void verify_refusesIssuedInFuture() throws Exception {
    assertRefused(byProvider(b -> b.issueTime(Date.from(NOW.plus(Duration.ofMinutes(5))))
        .expirationTime(Date.from(NOW.plus(Duration.ofMinutes(65))))), ISSUED_IN_FUTURE);
  }

  @Test
  void verify_toleratesSmallClockSkewOnIssueTime() throws Exception {
    String token = byProvider(b -> b.issueTime(Date.from(NOW.plusSeconds(30))));

    assertThat(verifier.verify(token, NONCE).getSubject()).isEqualTo("user-42");
  }

  @Test
  void verify_refusesMissingIssueTime() throws Exception {
    assertRefused(byProvider(b -> b.issueTime(null)), MALFORMED_TOKEN);
  }

  @Test
  void verify_refusesNotBeforeInFuture() throws Exception {
    assertRefused(byProvider(b -> b.notBeforeTime(Date.from(NOW.plus(Duration.ofMinutes(5))))), ISSUED_IN_FUTURE);
  }

  // --- nonce, subject, shape ---

  @Test
  void verify_refusesNonceMismatch() throws Exception {
    assertRefused(byProvider(b -> b.claim("nonce", "nonce-of-another-sign-in")), NONCE_MISMATCH);
  }

  @Test
  void verify_refusesMissingNonce() throws Exception {
    assertRefused(byProvider(b -> b.claim("nonce", null)), NONCE_MISMATCH);
  }

  @Test
  void verify_refusesWhenNoNonceIsExpected() throws Exception {
    assertRefused(byProvider(b -> b), null, NONCE_MISMATCH);
    assertRefused(byProvider(b -> b.claim("nonce", "")), "", NONCE_MISMATCH);
  }

  @Test
  void verify_refusesMissingSubject() throws Exception {
    assertRefused(byProvider(b -> b.subject(null)), MALFORMED_TOKEN);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not-a-jwt", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30"})
  void verify_refusesMalformedTokens(String token) {
    assertRefused(token, MALFORMED_TOKEN);
  }

  private static String b64(String json) {
    return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
  }
}
