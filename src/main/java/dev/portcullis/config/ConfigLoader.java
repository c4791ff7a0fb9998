package dev.portcullis.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.DuplicateKeyException;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Parse, validate, build: defaults, then the YAML file, then PORTCULLIS_* variables, then command-line
 * flags, each overriding the one before. Every key is known in advance; an unknown key or a bad value
 * stops the start with one line naming the key and what is allowed.
 */
public final class ConfigLoader {

  /** Variables that belong to the command-line client, not to the server's settings. */
  private static final Set<String> CLIENT_VARIABLES = Set.of("PORTCULLIS_ADMIN_URL", "PORTCULLIS_ADMIN_TOKEN",
      "PORTCULLIS_CONFIG", "PORTCULLIS_JAVA_OPTS");

  /** Holds the master key itself; read only from the environment, never from the file or a flag. */
  public static final String MASTER_KEY_VARIABLE = "PORTCULLIS_MASTER_KEY";

  private record Key(String name, String defaultValue, String allowed) {}

  private static final Map<String, Key> KEYS = new LinkedHashMap<>();

  static {
    key("listen", "127.0.0.1:8080", "host:port, e.g. 127.0.0.1:8080 or 0.0.0.0:443");
    key("admin.listen", "127.0.0.1:8081", "host:port, e.g. 127.0.0.1:8081");
    key("admin.url", "", "the admin API's URL as its clients reach it, e.g. https://portcullis-admin.example.com; "
        + "empty for http://HOST:PORT of admin.listen. Service-account JWTs for the admin API name it in aud");
    key("domain", "localhost", "a DNS name such as example.com; services are reached at NAME.DOMAIN");
    key("data_dir", "./portcullis-data", "a directory path");
    key("store.url", "", dev.portcullis.store.StoreUrl.ALLOWED);
    key("store.max_staleness", "5m", "a duration such as 30s or 5m: how long a replica on PostgreSQL keeps "
        + "deciding from its last snapshot while its change feed is away (store unreachable) before it denies "
        + "everything");
    key("tls.cert_file", "", "a PEM certificate chain file; set together with tls.key_file");
    key("tls.key_file", "", "a PEM private key file; set together with tls.cert_file");
    key("trusted_proxies", "", "a list of CIDRs (e.g. 10.0.0.0/8) whose X-Forwarded-* headers are trusted");
    key("ingress.internal_networks", "127.0.0.0/8,::1/128",
        "a list of CIDRs whose clients count as internal for services with ingress 'internal'");
    key("shutdown.timeout", "30s", "a duration such as 500ms, 30s, 5m");
    key("upstream.connect_timeout", "5s", "a duration such as 500ms, 30s, 5m");
    key("upstream.response_timeout", "60s", "a duration such as 500ms, 30s, 5m");
    key("upstream.idle_timeout", "300s", "a duration such as 500ms, 30s, 5m");
    key("upstream.max_connections", "256", "a whole number from 1 to 10000 (connections per upstream)");
    key("demo.enabled", "true", "true or false");
    key("auth.host", "", "the sign-in host name; empty for auth.DOMAIN");
    key("auth.local.enabled", "true", "true or false (built-in accounts with passwords)");
    key("auth.bootstrap_admin", "", "email of the administrator account created on first start; empty for admin@DOMAIN");
    key("session.max_lifetime", "24h", "a duration such as 8h; a session ends this long after sign-in");
    key("session.idle_timeout", "8h", "a duration such as 30m; a session ends after this long unused");
    key("assertion.issuer", "", "the iss of signed assertions, an http(s) URL; empty for https://AUTH_HOST");
    key("assertion.iap_issuer", "", "the iss in Google IAP compatibility mode, e.g. https://cloud.google.com/iap; "
        + "empty for assertion.issuer");
    key("assertion.iap_identity_prefix", "accounts.google.com:", "the prefix of sub and of the "
        + "X-Goog-Authenticated-User-* headers in Google IAP compatibility mode; may be empty");
    key("keys.master_key_file", "", "a file holding the master key that seals the signing keys: "
        + MasterKey.HOW_TO_MAKE + "; or set " + MASTER_KEY_VARIABLE + "; empty with neither for a key generated "
        + "into data_dir/master-key");
  }

  static {
    key("audit.enabled", "true", "true or false (false audits nothing: for benchmarks, never in production)");
    key("audit.include_query", "false", "true or false (keep the query string in decision events)");
    key("audit.retention_days", "365", "a whole number of days from 0 to 36500; 0 keeps audit events forever");
    key("audit.file", "", "a file path: every audit event is also appended there as one JSON line; empty for none");
    key("live.recheck_interval", "30s", "a duration from 100ms to 30s: how often open WebSockets and streams are "
        + "decided again for conditions that change by themselves (time windows, session age)");
    key("audit.stdout", "false", "true or false (every audit event is also written to standard output)");
  }

  private static void key(String name, String defaultValue, String allowed) {
    KEYS.put(name, new Key(name, defaultValue, allowed));
  }

  private ConfigLoader() {}

  /** The environment variable that sets a key: data_dir is PORTCULLIS_DATA_DIR, admin.listen PORTCULLIS_ADMIN_LISTEN. */
  public static String variableFor(String key) {
    return "PORTCULLIS_" + key.replace('.', '_').toUpperCase(Locale.ROOT);
  }

  public static Set<String> keys() {
    return KEYS.keySet();
  }

  /**
   * @param file optional YAML file
   * @param env the process environment (only PORTCULLIS_* entries are read)
   * @param flags command-line overrides by key name
   */
  public static Settings load(Optional<Path> file, Map<String, String> env, Map<String, String> flags) {
    return load(file, env, flags, env);
  }

  /** As {@link #load(Optional, Map, Map)}, with the variables that client_secret_env may name given apart. */
  public static Settings load(Optional<Path> file, Map<String, String> env, Map<String, String> flags,
      Map<String, String> secretsEnv) {
    Map<String, String> values = new TreeMap<>();
    KEYS.values().forEach(k -> values.put(k.name(), k.defaultValue()));
    file.ifPresent(f -> values.putAll(readFile(f)));
    values.putAll(readEnvironment(env));
    flags.forEach((k, v) -> {
      if (v != null) {
        known(k, "command-line flag");
        values.put(k, v);
      }
    });
    return build(values, secretsEnv, Optional.ofNullable(env.get(MASTER_KEY_VARIABLE)));
  }

  private static Map<String, String> readFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("--config", "file " + file + " does not exist or is not a regular file");
    }
    Object root;
    try (Reader r = Files.newBufferedReader(file)) {
      root = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build()).loadFromReader(r);
    } catch (IOException e) {
      throw new ConfigException("--config", "cannot read " + file + ": " + e.getMessage());
    } catch (DuplicateKeyException e) {
      String key = e.getProblem().replaceFirst("^found duplicate key ", "");
      throw new ConfigException(key, "is set twice in " + file + at(e) + "; keep one");
    } catch (MarkedYamlEngineException e) {
      String context = e.getContext() == null ? "" : " " + e.getContext();
      throw new ConfigException("--config", file + " is not valid YAML: " + e.getProblem() + at(e) + context);
    } catch (YamlEngineException e) {
      throw new ConfigException("--config", file + " is not valid YAML: " + e.getMessage().replace('\n', ' '));
    }
    Map<String, String> out = new TreeMap<>();
    if (root == null) {
      return out;
    }
    if (!(root instanceof Map<?, ?> map)) {
      throw new ConfigException("--config", file + " must hold a mapping of keys, e.g. 'listen: 127.0.0.1:8080'");
    }
    flatten("", map, out);
    return out;
  }

  private static String at(MarkedYamlEngineException e) {
    return e.getProblemMark().map(m -> " (line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1) + ")")
        .orElse("");
  }

  private static void flatten(String prefix, Map<?, ?> map, Map<String, String> out) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String name = prefix + e.getKey();
      Object v = e.getValue();
      if (v instanceof Map<?, ?> nested) {
        flatten(name + ".", nested, out);
      } else {
        known(name, "key in the config file");
        if (out.containsKey(name)) {
          throw new ConfigException(name, "is set twice in the config file (once written with dots, once nested); "
              + "keep one");
        }
        if (v instanceof List<?> list) {
          out.put(name, String.join(",", list.stream().map(String::valueOf).toList()));
        } else {
          out.put(name, v == null ? "" : String.valueOf(v));
        }
      }
    }
  }

  private static Map<String, String> readEnvironment(Map<String, String> env) {
    Map<String, String> byVariable = new TreeMap<>();
    KEYS.keySet().forEach(k -> byVariable.put(variableFor(k), k));
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, String> e : env.entrySet()) {
      String var = e.getKey();
      if (!var.startsWith("PORTCULLIS_") || CLIENT_VARIABLES.contains(var) || var.equals(MASTER_KEY_VARIABLE)) {
        continue;
      }
      String key = byVariable.get(var);
      java.util.regex.Matcher oidc = OIDC_VARIABLE.matcher(var);
      if (key == null && oidc.matches()) {
        key = "oidc." + oidc.group(1).toLowerCase(Locale.ROOT) + "." + oidc.group(2).toLowerCase(Locale.ROOT);
      }
      java.util.regex.Matcher issuer = ISSUER_VARIABLE.matcher(var);
      if (key == null && issuer.matches()) {
        key = "workload.trusted_issuers." + issuer.group(1).toLowerCase(Locale.ROOT) + "."
            + issuer.group(2).toLowerCase(Locale.ROOT);
      }
      if (key == null) {
        throw new ConfigException(var, "unknown variable; the settings are " + String.join(", ",
            KEYS.keySet().stream().map(ConfigLoader::variableFor).toList()));
      }
      out.put(key, e.getValue());
    }
    return out;
  }

  private static final java.util.regex.Pattern OIDC_KEY = java.util.regex.Pattern.compile(
      "oidc\\.([a-z0-9]{1,32})\\.(" + String.join("|", OidcSettings.FIELDS) + ")");
  private static final java.util.regex.Pattern OIDC_VARIABLE = java.util.regex.Pattern.compile(
      "PORTCULLIS_OIDC_([A-Z0-9]{1,32})_(" + String.join("|", OidcSettings.FIELDS).toUpperCase(Locale.ROOT) + ")");

  private static final java.util.regex.Pattern ISSUER_KEY = java.util.regex.Pattern.compile(
      "workload\\.trusted_issuers\\.([a-z0-9]{1,32})\\.(" + String.join("|", TrustedIssuerSettings.FIELDS) + ")");
  private static final java.util.regex.Pattern ISSUER_VARIABLE = java.util.regex.Pattern.compile(
      "PORTCULLIS_WORKLOAD_TRUSTED_ISSUERS_([A-Z0-9]{1,32})_("
          + String.join("|", TrustedIssuerSettings.FIELDS).toUpperCase(Locale.ROOT) + ")");

  private static void known(String key, String what) {
    if (key.startsWith("workload.")) {
      if (!ISSUER_KEY.matcher(key).matches()) {
        throw new ConfigException(key, "unknown " + what + "; trusted issuers are set as workload.trusted_issuers.ID."
            + "FIELD with ID of lower-case letters and digits and FIELD one of "
            + String.join(", ", TrustedIssuerSettings.FIELDS));
      }
      return;
    }
    if (key.startsWith("oidc.")) {
      if (!OIDC_KEY.matcher(key).matches()) {
        throw new ConfigException(key, "unknown " + what + "; providers are set as oidc.ID.FIELD with ID of "
            + "lower-case letters and digits and FIELD one of " + String.join(", ", OidcSettings.FIELDS));
      }
      return;
    }
    if (!KEYS.containsKey(key)) {
      throw new ConfigException(key, "unknown " + what + "; the keys are " + String.join(", ", KEYS.keySet()));
    }
  }

  private static Settings build(Map<String, String> v, Map<String, String> env, Optional<String> masterKeyVariable) {
    Optional<Path> cert = path(v, "tls.cert_file");
    Optional<Path> key = path(v, "tls.key_file");
    if (cert.isPresent() != key.isPresent()) {
      String missing = cert.isPresent() ? "tls.key_file" : "tls.cert_file";
      throw new ConfigException(missing, "must be set together with "
          + (cert.isPresent() ? "tls.cert_file" : "tls.key_file") + " (" + KEYS.get(missing).allowed() + ")");
    }
    for (String k : List.of("tls.cert_file", "tls.key_file")) {
      path(v, k).filter(p -> !Files.isReadable(p)).ifPresent(p -> {
        throw new ConfigException(k, "cannot read " + p + "; " + KEYS.get(k).allowed());
      });
    }
    String storeUrl = v.get("store.url").trim();
    try {
      dev.portcullis.store.StoreUrl.check(storeUrl);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("store.url", e.getMessage());
    }
    return new Settings(
        parse(v, "listen", Listen::parse),
        parse(v, "admin.listen", Listen::parse),
        parse(v, "domain", ConfigLoader::domain),
        Path.of(nonEmpty(v, "data_dir")),
        storeUrl.isEmpty() ? Optional.empty() : Optional.of(storeUrl),
        duration(v, "store.max_staleness"),
        cert,
        key,
        ranges(v, "trusted_proxies"),
        ranges(v, "ingress.internal_networks"),
        duration(v, "shutdown.timeout"),
        duration(v, "upstream.connect_timeout"),
        duration(v, "upstream.response_timeout"),
        duration(v, "upstream.idle_timeout"),
        parse(v, "upstream.max_connections", s -> integer(s, 1, 10_000)),
        parse(v, "demo.enabled", ConfigLoader::bool),
        authHost(v),
        duration(v, "session.max_lifetime"),
        duration(v, "session.idle_timeout"),
        parse(v, "auth.local.enabled", ConfigLoader::bool),
        adminEmail(v),
        oidcProviders(v, env),
        adminUrl(v),
        TrustedIssuersConfig.parse(v, ISSUER_KEY),
        assertion(v, masterKeyVariable),
        parse(v, "live.recheck_interval", x -> Durations.parse(x)
            .filter(d -> d.toMillis() >= 100 && d.compareTo(java.time.Duration.ofSeconds(30)) <= 0)),
        new AuditSettings(
            parse(v, "audit.enabled", ConfigLoader::bool),
            parse(v, "audit.include_query", ConfigLoader::bool),
            parse(v, "audit.retention_days", s -> integer(s, 0, 36_500)),
            path(v, "audit.file"),
            parse(v, "audit.stdout", ConfigLoader::bool)));
  }

  private static Optional<String> adminUrl(Map<String, String> v) {
    String raw = v.get("admin.url").trim();
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    java.net.URI uri;
    try {
      uri = new java.net.URI(raw);
    } catch (java.net.URISyntaxException e) {
      uri = null;
    }
    if (uri == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null
        || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
        || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
        || !uri.getHost().equals(uri.getHost().toLowerCase(Locale.ROOT))) {
      throw new ConfigException("admin.url", "'" + raw + "' is not valid; allowed: " + KEYS.get("admin.url").allowed()
          + " (lower-case host, no path)");
    }
    String s = raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
    return Optional.of(s);
  }

  private static AssertionSettings assertion(Map<String, String> v, Optional<String> masterKeyVariable) {
    String issuer = issuerUrl(v, "assertion.issuer").orElse("https://" + authHost(v));
    String iapIssuer = issuerUrl(v, "assertion.iap_issuer").orElse(issuer);
    String prefix = v.get("assertion.iap_identity_prefix").trim();
    if (prefix.length() > 100 || prefix.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
      throw new ConfigException("assertion.iap_identity_prefix", "'" + prefix + "' is not valid; allowed: "
          + KEYS.get("assertion.iap_identity_prefix").allowed() + " (printable ASCII without spaces, at most 100)");
    }
    return new AssertionSettings(issuer, iapIssuer, prefix, masterKey(v, masterKeyVariable));
  }

  private static Optional<String> issuerUrl(Map<String, String> v, String key) {
    String raw = v.get(key).trim();
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    java.net.URI u;
    try {
      u = new java.net.URI(raw);
    } catch (java.net.URISyntaxException e) {
      u = null;
    }
    if (u == null || !("https".equals(u.getScheme()) || "http".equals(u.getScheme())) || u.getHost() == null
        || u.getRawQuery() != null || u.getRawFragment() != null || u.getRawUserInfo() != null) {
      throw new ConfigException(key, "'" + raw + "' is not an issuer URL; allowed: " + KEYS.get(key).allowed()
          + " (no query, fragment or user info)");
    }
    return Optional.of(raw);
  }

  /** The master key from exactly one of its two sources, checked now so that a bad key stops the start. */
  private static Optional<MasterKey> masterKey(Map<String, String> v, Optional<String> variable) {
    Optional<Path> file = path(v, "keys.master_key_file");
    Optional<String> fromVariable = variable.filter(s -> !s.isBlank());
    if (file.isPresent() && fromVariable.isPresent()) {
      throw new ConfigException("keys.master_key_file", "is set and so is " + MASTER_KEY_VARIABLE + "; give the "
          + "master key one way only");
    }
    if (variable.isPresent() && fromVariable.isEmpty()) {
      throw new ConfigException(MASTER_KEY_VARIABLE, "is set but empty; put " + MasterKey.HOW_TO_MAKE
          + " in it, or unset it");
    }
    if (fromVariable.isPresent()) {
      return Optional.of(MasterKey.parse(fromVariable.get()).orElseThrow(() -> new ConfigException(
          MASTER_KEY_VARIABLE, "does not hold a master key; it must be " + MasterKey.HOW_TO_MAKE)));
    }
    if (file.isEmpty()) {
      return Optional.empty();
    }
    String text;
    try {
      text = Files.readString(file.get());
    } catch (IOException e) {
      throw new ConfigException("keys.master_key_file", "cannot read " + file.get() + ": " + e.getMessage());
    }
    return Optional.of(MasterKey.parse(text).orElseThrow(() -> new ConfigException("keys.master_key_file",
        file.get() + " does not hold a master key; it must hold " + MasterKey.HOW_TO_MAKE)));
  }

  private static List<OidcSettings> oidcProviders(Map<String, String> v, Map<String, String> env) {
    java.util.SortedSet<String> ids = new java.util.TreeSet<>();
    for (String k : v.keySet()) {
      java.util.regex.Matcher m = OIDC_KEY.matcher(k);
      if (m.matches()) {
        ids.add(m.group(1));
      }
    }
    List<OidcSettings> out = new ArrayList<>();
    for (String id : ids) {
      String p = "oidc." + id + ".";
      String issuerText = v.getOrDefault(p + "issuer", "").trim();
      java.net.URI issuer;
      try {
        issuer = new java.net.URI(issuerText);
      } catch (java.net.URISyntaxException e) {
        issuer = null;
      }
      if (issuer == null || !("https".equals(issuer.getScheme()) || "http".equals(issuer.getScheme()))
          || issuer.getHost() == null) {
        throw new ConfigException(p + "issuer", "'" + issuerText + "' is not an issuer URL; give the provider's "
            + "issuer, e.g. https://accounts.google.com");
      }
      String clientId = v.getOrDefault(p + "client_id", "").trim();
      if (clientId.isEmpty()) {
        throw new ConfigException(p + "client_id", "is required; the OAuth client id registered at the provider");
      }
      String file = v.getOrDefault(p + "client_secret_file", "").trim();
      String variable = v.getOrDefault(p + "client_secret_env", "").trim();
      if (file.isEmpty() == variable.isEmpty()) {
        throw new ConfigException(p + "client_secret_file", "set exactly one of client_secret_file (a file holding "
            + "the client secret) or client_secret_env (the name of a variable holding it)");
      }
      String secret;
      if (!file.isEmpty()) {
        try {
          secret = Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
          throw new ConfigException(p + "client_secret_file", "cannot read " + file + ": " + e.getMessage());
        }
      } else {
        secret = env.getOrDefault(variable, "").trim();
      }
      if (secret.isEmpty()) {
        throw new ConfigException(file.isEmpty() ? p + "client_secret_env" : p + "client_secret_file",
            "the client secret is empty; put the secret from the provider there");
      }
      List<String> scopes = list(v.getOrDefault(p + "scopes", "openid,email,profile"));
      if (!scopes.contains("openid")) {
        throw new ConfigException(p + "scopes", "must include openid");
      }
      List<String> domains = new ArrayList<>();
      for (String d : list(v.getOrDefault(p + "allowed_domains", ""))) {
        domains.add(domain(d).orElseThrow(() -> new ConfigException(p + "allowed_domains",
            "'" + d + "' is not a domain; give domains such as example.com")));
      }
      String name = v.getOrDefault(p + "display_name", "").trim();
      String hint = v.getOrDefault(p + "login_hint", "").trim();
      out.add(new OidcSettings(id, name.isEmpty() ? id : name, issuer, clientId, secret, scopes, List.copyOf(domains),
          hint.isEmpty() ? Optional.empty() : Optional.of(hint)));
    }
    return List.copyOf(out);
  }

  private static List<String> list(String s) {
    List<String> out = new ArrayList<>();
    for (String part : s.split("[,\\s]+")) {
      if (!part.isBlank()) {
        out.add(part.trim());
      }
    }
    return out;
  }

  private static String authHost(Map<String, String> v) {
    String raw = v.get("auth.host").trim();
    if (raw.isEmpty()) {
      return "auth." + parse(v, "domain", ConfigLoader::domain);
    }
    return parse(v, "auth.host", ConfigLoader::domain);
  }

  private static String adminEmail(Map<String, String> v) {
    String raw = v.get("auth.bootstrap_admin").trim().toLowerCase(Locale.ROOT);
    String email = raw.isEmpty() ? "admin@" + parse(v, "domain", ConfigLoader::domain) : raw;
    int at = email.indexOf('@');
    if (at <= 0 || at != email.lastIndexOf('@') || !DnsLabel.validHostName(email.substring(at + 1))
        || email.substring(0, at).chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
      throw new ConfigException("auth.bootstrap_admin", "'" + raw + "' is not an email address; allowed: "
          + KEYS.get("auth.bootstrap_admin").allowed());
    }
    return email;
  }

  private static <T> T parse(Map<String, String> v, String key, Function<String, Optional<T>> parser) {
    String raw = v.get(key);
    return parser.apply(raw == null ? "" : raw.trim()).orElseThrow(() ->
        new ConfigException(key, "'" + raw + "' is not valid; allowed: " + KEYS.get(key).allowed()));
  }

  private static Duration duration(Map<String, String> v, String key) {
    return parse(v, key, s -> Durations.parse(s).filter(d -> !d.isZero()));
  }

  private static String nonEmpty(Map<String, String> v, String key) {
    return parse(v, key, s -> s.isEmpty() ? Optional.empty() : Optional.of(s));
  }

  private static Optional<Path> path(Map<String, String> v, String key) {
    String s = v.get(key).trim();
    return s.isEmpty() ? Optional.empty() : Optional.of(Path.of(s));
  }

  private static List<IpRange> ranges(Map<String, String> v, String key) {
    List<IpRange> out = new ArrayList<>();
    for (String part : v.get(key).split(",")) {
      if (part.isBlank()) {
        continue;
      }
      out.add(IpRange.parse(part).orElseThrow(() -> new ConfigException(key,
          "'" + part.trim() + "' is not a CIDR; allowed: " + KEYS.get(key).allowed())));
    }
    return List.copyOf(out);
  }

  private static Optional<Integer> integer(String s, int min, int max) {
    try {
      int n = Integer.parseInt(s);
      return n < min || n > max ? Optional.empty() : Optional.of(n);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<Boolean> bool(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "true" -> Optional.of(true);
      case "false" -> Optional.of(false);
      default -> Optional.empty();
    };
  }

  static Optional<String> domain(String s) {
    String d = s.toLowerCase(Locale.ROOT);
    if (d.endsWith(".")) {
      d = d.substring(0, d.length() - 1);
    }
    return DnsLabel.validHostName(d) ? Optional.of(d) : Optional.empty();
  }
}
