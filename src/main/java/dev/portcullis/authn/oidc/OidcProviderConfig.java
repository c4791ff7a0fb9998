package dev.portcullis.authn.oidc;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One OpenID Connect provider as configured: where it is (its issuer, found by discovery), who we are
 * to it (client id and secret), what we ask for (scopes, login hint) and whom we accept from it
 * (allowed domains, empty for anyone with a verified email).
 *
 * <p>The issuer must be {@code https}, or {@code http} on a loopback host for development and tests.
 * Allowed domains are lower-cased and compared exactly, never by suffix.
 */
public record OidcProviderConfig(
    String id,
    String displayName,
    URI issuer,
    String clientId,
    Secret clientSecret,
    List<String> scopes,
    List<String> allowedDomains,
    Optional<String> loginHint) {

  public static final List<String> DEFAULT_SCOPES = List.of("openid", "email", "profile");

  private static final Pattern ID = Pattern.compile("[a-z0-9]+");
  private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");
  private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+");

  public OidcProviderConfig {
    Objects.requireNonNull(id, "id");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("provider id must be lower-case letters and digits: " + id);
    }
    displayName = displayName == null || displayName.isBlank() ? id : displayName.strip();
    Objects.requireNonNull(issuer, "issuer");
    requireUsableIssuer(issuer);
    Objects.requireNonNull(clientId, "clientId");
    if (clientId.isBlank()) {
      throw new IllegalArgumentException("clientId must not be blank");
    }
    Objects.requireNonNull(clientSecret, "clientSecret");
    scopes = scopes == null || scopes.isEmpty() ? DEFAULT_SCOPES : List.copyOf(scopes);
    for (String scope : scopes) {
      if (!SCOPE.matcher(scope).matches()) {
        throw new IllegalArgumentException("not a valid scope: " + scope);
      }
    }
    if (!scopes.contains("openid")) {
      throw new IllegalArgumentException("scopes must include openid");
    }
    allowedDomains = normalizeDomains(allowedDomains);
    loginHint = loginHint == null ? Optional.empty() : loginHint.filter(h -> !h.isBlank());
  }

  /** A provider with the default scopes, any domain and no login hint. */
  public static OidcProviderConfig of(String id, String displayName, URI issuer, String clientId, Secret clientSecret) {
    return new OidcProviderConfig(id, displayName, issuer, clientId, clientSecret, DEFAULT_SCOPES, List.of(),
        Optional.empty());
  }

  public OidcProviderConfig withAllowedDomains(List<String> domains) {
    return new OidcProviderConfig(id, displayName, issuer, clientId, clientSecret, scopes, domains, loginHint);
  }

  public OidcProviderConfig withLoginHint(String hint) {
    return new OidcProviderConfig(id, displayName, issuer, clientId, clientSecret, scopes, allowedDomains,
        Optional.ofNullable(hint));
  }

  private static List<String> normalizeDomains(List<String> domains) {
    if (domains == null) {
      return List.of();
    }
    List<String> normalized = new ArrayList<>(domains.size());
    for (String domain : domains) {
      String d = Objects.requireNonNull(domain, "allowed domain").strip().toLowerCase(Locale.ROOT);
      if (!DOMAIN.matcher(d).matches()) {
        throw new IllegalArgumentException("allowed domain must be a plain domain name like example.com: " + domain);
      }
      normalized.add(d);
    }
    return List.copyOf(normalized);
  }

  static void requireUsableIssuer(URI issuer) {
    if (!issuer.isAbsolute() || issuer.getHost() == null) {
      throw new IllegalArgumentException("issuer must be an absolute URL: " + issuer);
    }
    if (issuer.getRawQuery() != null || issuer.getRawFragment() != null || issuer.getRawUserInfo() != null) {
      throw new IllegalArgumentException("issuer must not have a query, fragment or user info: " + issuer);
    }
    requireSecureTransport(issuer, "issuer");
  }

  /** https everywhere, plain http only to this machine (development, tests). */
  static void requireSecureTransport(URI uri, String what) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("https")) {
      return;
    }
    if (scheme.equals("http") && isLoopbackHost(uri.getHost())) {
      return;
    }
    throw new IllegalArgumentException(what + " must use https (plain http only on localhost): " + uri);
  }

  private static boolean isLoopbackHost(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.equals("[::1]") || h.equals("::1") || h.matches("127(\\.\\d{1,3}){3}");
  }
}
