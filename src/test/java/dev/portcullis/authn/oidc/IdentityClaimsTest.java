package dev.portcullis.authn.oidc;

import static dev.portcullis.authn.oidc.SignInException.Reason.DOMAIN_NOT_ALLOWED;
import static dev.portcullis.authn.oidc.SignInException.Reason.INVALID_EMAIL;
import static dev.portcullis.authn.oidc.SignInException.Reason.MALFORMED_TOKEN;
import static dev.portcullis.authn.oidc.SignInException.Reason.MISSING_EMAIL;
import static dev.portcullis.authn.oidc.SignInException.Reason.UNVERIFIED_EMAIL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a verified ID token must say before its email becomes a principal. */
class IdentityClaimsTest {
  private static final List<String> EXAMPLE_COM = List.of("example.com");
  private static final Instant IAT = Instant.parse("2025-06-01T10:00:00Z");

  private static JWTClaimsSet claims(UnaryOperator<JWTClaimsSet.Builder> change) {
    return change.apply(new JWTClaimsSet.Builder()
        .subject("user-42")
        .issueTime(Date.from(IAT))
        .claim("email", "alice@example.com")
        .claim("email_verified", true)).build();
  }

  private static ExternalIdentity identity(JWTClaimsSet claims, List<String> allowedDomains) throws SignInException {
    return IdentityClaims.toIdentity("corp", claims, "raw.id.token", allowedDomains);
  }

  private static void assertRefused(JWTClaimsSet claims, List<String> allowedDomains, SignInException.Reason reason) {
    assertThatThrownBy(() -> identity(claims, allowedDomains))
        .isInstanceOfSatisfying(SignInException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  @Test
  void toIdentity_takesVerifiedEmailLowerCased() throws Exception {
    ExternalIdentity identity = identity(claims(b -> b.claim("email", "Alice@Example.COM").claim("name", "Alice")),
        EXAMPLE_COM);

    assertThat(identity.providerId()).isEqualTo("corp");
    assertThat(identity.subject()).isEqualTo("user-42");
    assertThat(identity.email()).isEqualTo("alice@example.com");
    assertThat(identity.name()).contains("Alice");
    assertThat(identity.idToken()).isEqualTo("raw.id.token");
    assertThat(identity.authTime()).isEqualTo(IAT);
  }

  @Test
  void toIdentity_prefersAuthTimeOverIssueTime() throws Exception {
    Instant authTime = IAT.minusSeconds(600);

    assertThat(identity(claims(b -> b.claim("auth_time", authTime.getEpochSecond())), List.of()).authTime())
        .isEqualTo(authTime);
  }

  @Test
  void toIdentity_refusesUnverifiedEmail() {
    assertRefused(claims(b -> b.claim("email_verified", false)), List.of(), UNVERIFIED_EMAIL);
  }

  @Test
  void toIdentity_refusesMissingEmailVerified() {
    assertRefused(claims(b -> b.claim("email_verified", null)), List.of(), UNVERIFIED_EMAIL);
  }

  @Test
  void toIdentity_refusesEmailVerifiedThatIsNotTheBooleanTrue() {
    assertRefused(claims(b -> b.claim("email_verified", "true")), List.of(), UNVERIFIED_EMAIL);
    assertRefused(claims(b -> b.claim("email_verified", 1)), List.of(), UNVERIFIED_EMAIL);
  }

  @Test
  void toIdentity_refusesMissingEmail() {
    assertRefused(claims(b -> b.claim("email", null)), List.of(), MISSING_EMAIL);
    assertRefused(claims(b -> b.claim("email", " ")), List.of(), MISSING_EMAIL);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "mallory@evil-example.com",
      "mallory@example.com.evil",
      "mallory@notexample.com",
      "mallory@sub.example.com",
      "mallory@example.co",
      "mallory@xample.com"})
  void toIdentity_refusesDomainOutsideAllowedList(String email) {
    assertRefused(claims(b -> b.claim("email", email)), EXAMPLE_COM, DOMAIN_NOT_ALLOWED);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "attacker@evil.com@example.com",
      "attacker@example.com@evil.com",
      "attacker@@example.com",
      "@example.com",
      "alice@",
      "alice",
      "alice @example.com",
      "alice@example.com\n",
      "alice@example.com\u0000"})
  void toIdentity_refusesEmailThatIsNotOnePlainAddress(String email) {
    assertRefused(claims(b -> b.claim("email", email)), EXAMPLE_COM, INVALID_EMAIL);
  }

  @Test
  void toIdentity_refusesSeveralAtSignsEvenWithoutDomainRestriction() {
    assertRefused(claims(b -> b.claim("email", "attacker@evil.com@example.com")), List.of(), INVALID_EMAIL);
  }

  @Test
  void toIdentity_acceptsAnyDomainWhenNoneIsConfigured() throws Exception {
    assertThat(identity(claims(b -> b.claim("email", "bob@anywhere.test")), List.of()).email())
        .isEqualTo("bob@anywhere.test");
  }

  @Test
  void toIdentity_acceptsAnyOfSeveralAllowedDomains() throws Exception {
    assertThat(identity(claims(b -> b.claim("email", "bob@example.org")), List.of("example.com", "example.org"))
        .email()).isEqualTo("bob@example.org");
  }

  @Test
  void toIdentity_judgesHostedDomainBeforeEmailDomain() throws Exception {
    // A Workspace account whose address is at a secondary domain: hd says which organization it is.
    ExternalIdentity identity = identity(claims(b -> b.claim("email", "alice@example-alias.com")
        .claim("hd", "example.com")), EXAMPLE_COM);
    assertThat(identity.hostedDomain()).contains("example.com");

    // An account of another organization is refused, whatever its email says.
    assertRefused(claims(b -> b.claim("hd", "evil.com")), EXAMPLE_COM, DOMAIN_NOT_ALLOWED);
    assertRefused(claims(b -> b.claim("hd", "example.com.evil")), EXAMPLE_COM, DOMAIN_NOT_ALLOWED);
  }

  @Test
  void toIdentity_refusesHostedDomainThatIsNotADomain() {
    assertRefused(claims(b -> b.claim("hd", "example.com\nforged log line")), List.of(), MALFORMED_TOKEN);
    assertRefused(claims(b -> b.claim("hd", "evil.com@example.com")), EXAMPLE_COM, MALFORMED_TOKEN);
  }

  @Test
  void toIdentity_quotesNoUnprintableValueInItsMessage() {
    assertThatThrownBy(() -> identity(claims(b -> b.claim("email", "mallory@evil\u2028forged.com")), EXAMPLE_COM))
        .isInstanceOf(SignInException.class)
        .hasMessageNotContaining("\u2028");
  }
}
