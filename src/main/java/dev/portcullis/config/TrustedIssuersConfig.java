package dev.portcullis.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code workload.trusted_issuers.ID.*} into {@link TrustedIssuerSettings}, refusing what cannot work. */
final class TrustedIssuersConfig {
  private static final Pattern TEMPLATE = Pattern.compile("(user|serviceAccount):[^\\s]+");

  private TrustedIssuersConfig() {}

  static List<TrustedIssuerSettings> parse(Map<String, String> v, Pattern keyPattern) {
    SortedSet<String> ids = new TreeSet<>();
    for (String k : v.keySet()) {
      Matcher m = keyPattern.matcher(k);
      if (m.matches()) {
        ids.add(m.group(1));
      }
    }
    List<TrustedIssuerSettings> out = new ArrayList<>();
    for (String id : ids) {
      String p = "workload.trusted_issuers." + id + ".";
      URI issuer = url(v.getOrDefault(p + "issuer", ""), p + "issuer", true).orElseThrow();
      Optional<URI> jwks = url(v.getOrDefault(p + "jwks_uri", ""), p + "jwks_uri", false);
      List<String> audiences = new ArrayList<>();
      for (String a : v.getOrDefault(p + "audiences", "").split(",")) {
        if (!a.isBlank()) {
          audiences.add(a.trim());
        }
      }
      if (audiences.isEmpty()) {
        throw new ConfigException(p + "audiences", "is required: the aud values a token must name one of, e.g. "
            + "https://portcullis.example.com");
      }
      String principal = v.getOrDefault(p + "principal", "").trim();
      if (!TEMPLATE.matcher(principal).matches()) {
        throw new ConfigException(p + "principal", "'" + principal + "' is not valid; give user:EMAIL or "
            + "serviceAccount:EMAIL, where {claim} is replaced by the token's claim, e.g. user:{email}");
      }
      Map<String, String> required = new LinkedHashMap<>();
      for (String pair : v.getOrDefault(p + "required_claims", "").split(",")) {
        if (pair.isBlank()) {
          continue;
        }
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new ConfigException(p + "required_claims", "'" + pair.trim() + "' is not CLAIM=VALUE, e.g. "
              + "email_verified=true");
        }
        required.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
      if (principal.startsWith("user:") && principal.contains("{email}") && !required.containsKey("email_verified")) {
        throw new ConfigException(p + "required_claims", "must include email_verified=true when the principal is "
            + "made from the email claim, or any address could be claimed");
      }
      out.add(new TrustedIssuerSettings(id, issuer, jwks, List.copyOf(audiences), principal, Map.copyOf(required)));
    }
    return List.copyOf(out);
  }

  private static Optional<URI> url(String raw, String key, boolean required) {
    String s = raw.trim();
    if (s.isEmpty()) {
      if (required) {
        throw new ConfigException(key, "is required, e.g. https://token.actions.githubusercontent.com");
      }
      return Optional.empty();
    }
    try {
      URI uri = new URI(s);
      if (("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null) {
        return Optional.of(uri);
      }
    } catch (URISyntaxException e) {
      // fall through
    }
    throw new ConfigException(key, "'" + s + "' is not an http(s) URL");
  }
}
