package dev.portcullis.authn.oidc;

import static dev.portcullis.authn.oidc.SignInException.Reason.DOMAIN_NOT_ALLOWED;
import static dev.portcullis.authn.oidc.SignInException.Reason.INVALID_EMAIL;
import static dev.portcullis.authn.oidc.SignInException.Reason.MALFORMED_TOKEN;
import static dev.portcullis.authn.oidc.SignInException.Reason.MISSING_EMAIL;
import static dev.portcullis.authn.oidc.SignInException.Reason.UNVERIFIED_EMAIL;

import com.nimbusds.jwt.JWTClaimsSet;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns the claims of a verified ID token into an {@link ExternalIdentity}, or refuses: an email
 * becomes a principal only when the provider says it is verified ({@code email_verified} is the JSON
 * value {@code true}), it is a plain {@code local@domain} address, and, when the provider has allowed
 * domains, the {@code hd} claim or else the email's domain is one of them, compared exactly (no suffix
 * match, so {@code evil-example.com} and {@code example.com.evil} are not {@code example.com}).
 */
public final class IdentityClaims {
  private static final int MAX_EMAIL_LENGTH = 320;
  private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");

  private IdentityClaims() {}

  public static ExternalIdentity toIdentity(String providerId, JWTClaimsSet claims, String rawIdToken,
      List<String> allowedDomains) throws SignInException {
    String email = IdTokenVerifier.stringClaim(claims, "email");
    if (email == null || email.isBlank()) {
      throw new SignInException(MISSING_EMAIL, "The provider did not share an email address.");
    }
    if (!Boolean.TRUE.equals(claims.getClaim("email_verified"))) {
      throw new SignInException(UNVERIFIED_EMAIL, "The provider has not verified this email address.");
    }
    email = email.toLowerCase(Locale.ROOT);
    String emailDomain = domainOf(email);

    Optional<String> hostedDomain = Optional.ofNullable(IdTokenVerifier.stringClaim(claims, "hd"))
        .filter(hd -> !hd.isBlank())
        .map(hd -> hd.toLowerCase(Locale.ROOT));
    if (hostedDomain.isPresent() && !DOMAIN.matcher(hostedDomain.get()).matches()) {
      throw new SignInException(MALFORMED_TOKEN, "The ID token's hd claim is not a domain name.");
    }
    if (!allowedDomains.isEmpty()) {
      String domain = hostedDomain.orElse(emailDomain);
      if (!allowedDomains.contains(domain)) {
        throw new SignInException(DOMAIN_NOT_ALLOWED,
            "Accounts from " + Printable.of(domain) + " may not sign in here.");
      }
    }

    Optional<String> name = Optional.ofNullable(IdTokenVerifier.stringClaim(claims, "name"))
        .filter(n -> !n.isBlank());
    return new ExternalIdentity(providerId, claims.getSubject(), email, hostedDomain, name, rawIdToken,
        authTime(claims));
  }

  /** The part after the one and only {@code @}; an address with none, several, or an empty side is refused. */
  static String domainOf(String email) throws SignInException {
    int at = email.indexOf('@');
    if (email.length() > MAX_EMAIL_LENGTH || at <= 0 || at != email.lastIndexOf('@') || at == email.length() - 1
        || email.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      throw new SignInException(INVALID_EMAIL, "The provider's email address is not a plain address.");
    }
    return email.substring(at + 1);
  }

  private static Instant authTime(JWTClaimsSet claims) throws SignInException {
    try {
      Date authTime = claims.getDateClaim("auth_time");
      return (authTime != null ? authTime : claims.getIssueTime()).toInstant();
    } catch (ParseException e) {
      throw new SignInException(MALFORMED_TOKEN, "The ID token's auth_time is not a time.");
    }
  }
}
