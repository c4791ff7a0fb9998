package dev.portcullis.admin;

import dev.portcullis.config.Durations;
import dev.portcullis.service.FieldError;
import dev.portcullis.service.Ingress;
import dev.portcullis.service.AccessDenied;
import dev.portcullis.service.AssertionOptions;
import dev.portcullis.service.Service;
import dev.portcullis.service.ServiceValidator;
import dev.portcullis.service.ServiceCatalog;
import dev.portcullis.service.Timeouts;
import dev.portcullis.service.ValidationException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Services as the admin API writes and reads them. Unknown fields and wrong types are errors, not ignored. */
final class ServiceJson {
  private static final Set<String> FIELDS = Set.of("name", "project", "upstream", "hosts", "iap", "ingress",
      "timeouts", "reauthMaxAge", "accessDeniedPageUri", "accessDeniedMessage", "assertionAudience", "assertionGroups",
      "iapCompatible", "allowHttpOptions", "expectedAudience", "etag", "url", "createTime", "updateTime");
  private static final Set<String> TIMEOUT_FIELDS = Set.of("connect", "response", "idle");

  private ServiceJson() {}

  static JsonObject toJson(Service s, ServiceCatalog catalog, String scheme, int port) {
    JsonObject timeouts = new JsonObject();
    s.timeouts().connect().ifPresent(d -> timeouts.put("connect", Durations.format(d)));
    s.timeouts().response().ifPresent(d -> timeouts.put("response", Durations.format(d)));
    s.timeouts().idle().ifPresent(d -> timeouts.put("idle", Durations.format(d)));
    boolean defaultPort = (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
    String url = scheme + "://" + catalog.primaryHost(s.name()) + (defaultPort ? "" : ":" + port) + "/";
    return new JsonObject()
        .put("name", s.name())
        .put("project", s.project())
        .put("url", url)
        .put("upstream", s.upstream().toString())
        .put("hosts", new JsonArray(s.hosts()))
        .put("iap", s.iap())
        .put("ingress", s.ingress().wireName())
        .put("timeouts", timeouts)
        .put("reauthMaxAge", s.reauthMaxAge().map(Durations::format).orElse(null))
        .put("accessDeniedPageUri", s.accessDenied().pageUri().map(URI::toString).orElse(null))
        .put("accessDeniedMessage", s.accessDenied().message().orElse(null))
        .put("assertionAudience", s.assertion().audience().orElse(null))
        .put("expectedAudience", s.assertion().audienceFor(s))
        .put("assertionGroups", s.assertion().groups())
        .put("iapCompatible", s.assertion().iapCompatible())
        .put("allowHttpOptions", s.allowHttpOptions())
        .put("etag", s.etag())
        .put("createTime", s.createTime().toString())
        .put("updateTime", s.updateTime().toString());
  }

  /** A new service from a create request; name may come from the path instead of the body. */
  static Service fromCreate(JsonObject body) {
    List<FieldError> errors = new ArrayList<>();
    checkFields(body, errors);
    Service base = new Service(null, Service.DEFAULT_PROJECT, null, List.of(), false, Ingress.ALL,
        Timeouts.DEFAULTS, Optional.empty(), AccessDenied.NONE, AssertionOptions.DEFAULTS, false, 0, Instant.EPOCH, Instant.EPOCH);
    Service s = apply(base, body, errors, true);
    if (!errors.isEmpty()) {
      throw new ValidationException(withRuleErrors(errors, s));
    }
    return s;
  }

  /** The stored service with the fields present in the body changed; name cannot change. */
  static Service applyPatch(Service current, JsonObject body) {
    List<FieldError> errors = new ArrayList<>();
    checkFields(body, errors);
    if (body.containsKey("name") && !current.name().equals(body.getValue("name"))) {
      errors.add(new FieldError("name", "cannot be changed; create a new service and delete this one instead"));
    }
    Service s = apply(current, body, errors, false);
    if (!errors.isEmpty()) {
      throw new ValidationException(withRuleErrors(errors, s));
    }
    return s;
  }

  /**
   * A request refused for its shape is also checked against the service rules, so that one answer names
   * every bad field rather than the caller fixing them one round trip at a time.
   */
  private static List<FieldError> withRuleErrors(List<FieldError> shapeErrors, Service partial) {
    Set<String> reported = new java.util.HashSet<>();
    shapeErrors.forEach(e -> reported.add(rootField(e.field())));
    List<FieldError> all = new ArrayList<>(shapeErrors);
    for (FieldError e : ServiceValidator.validate(partial)) {
      if (!reported.contains(rootField(e.field()))) {
        all.add(e);
      }
    }
    return all;
  }

  private static String rootField(String field) {
    int end = field.length();
    for (char c : new char[] {'.', '['}) {
      int i = field.indexOf(c);
      if (i >= 0) {
        end = Math.min(end, i);
      }
    }
    return field.substring(0, end);
  }

  private static void checkFields(JsonObject body, List<FieldError> errors) {
    for (String f : body.fieldNames()) {
      if (!FIELDS.contains(f)) {
        errors.add(new FieldError(f, "unknown field; the fields are " + String.join(", ", new java.util.TreeSet<>(FIELDS))));
      }
    }
  }

  private static Service apply(Service s, JsonObject body, List<FieldError> errors, boolean create) {
    String name = create ? string(body, "name", errors).orElse(null) : s.name();
    String project = string(body, "project", errors).orElse(s.project());
    URI upstream = s.upstream();
    Optional<String> up = string(body, "upstream", errors);
    if (up.isPresent()) {
      try {
        upstream = new URI(up.get().trim());
      } catch (URISyntaxException e) {
        errors.add(new FieldError("upstream", "'" + up.get() + "' is not a URL; use http://HOST[:PORT]"));
      }
    }
    List<String> hosts = s.hosts();
    if (body.containsKey("hosts")) {
      Object v = body.getValue("hosts");
      if (!(v instanceof JsonArray arr)) {
        errors.add(new FieldError("hosts", "must be a list of host names"));
      } else {
        List<String> list = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
          Object h = arr.getValue(i);
          if (!(h instanceof String str)) {
            errors.add(new FieldError("hosts[" + i + "]", "must be a string"));
          } else {
            String norm = str.trim().toLowerCase(Locale.ROOT);
            list.add(norm.endsWith(".") ? norm.substring(0, norm.length() - 1) : norm);
          }
        }
        hosts = list;
      }
    }
    boolean iap = s.iap();
    if (body.containsKey("iap")) {
      if (body.getValue("iap") instanceof Boolean b) {
        iap = b;
      } else {
        errors.add(new FieldError("iap", "must be true or false"));
      }
    }
    Ingress ingress = s.ingress();
    Optional<String> ing = string(body, "ingress", errors);
    if (ing.isPresent()) {
      Optional<Ingress> parsed = Ingress.parse(ing.get());
      if (parsed.isEmpty()) {
        errors.add(new FieldError("ingress", "'" + ing.get() + "' is not allowed; use 'all' or 'internal'"));
      } else {
        ingress = parsed.get();
      }
    }
    Timeouts timeouts = s.timeouts();
    if (body.containsKey("timeouts")) {
      Object v = body.getValue("timeouts");
      if (!(v instanceof JsonObject t)) {
        errors.add(new FieldError("timeouts", "must be an object such as {\"connect\": \"5s\", \"response\": \"60s\"}"));
      } else {
        for (String f : t.fieldNames()) {
          if (!TIMEOUT_FIELDS.contains(f)) {
            errors.add(new FieldError("timeouts." + f, "unknown timeout; use connect, response or idle"));
          }
        }
        timeouts = new Timeouts(
            duration(t, "connect", timeouts.connect(), errors),
            duration(t, "response", timeouts.response(), errors),
            duration(t, "idle", timeouts.idle(), errors));
      }
    }
    Optional<Duration> reauth = s.reauthMaxAge();
    if (body.containsKey("reauthMaxAge")) {
      Object v = body.getValue("reauthMaxAge");
      Optional<Duration> d = v instanceof String str ? Durations.parse(str) : Optional.empty();
      if (v == null) {
        reauth = Optional.empty();
      } else if (d.isEmpty()) {
        errors.add(new FieldError("reauthMaxAge", "'" + v + "' is not a duration; use e.g. \"3600s\" or \"8h\", "
            + "or null for none"));
      } else {
        reauth = d;
      }
    }
    AccessDenied denied = accessDenied(body, s.accessDenied(), errors);
    AssertionOptions assertion = assertion(body, s, errors);
    boolean allowHttpOptions = bool(body, "allowHttpOptions", s.allowHttpOptions(), errors);
    return new Service(name, project, upstream, hosts, iap, ingress, timeouts, reauth, denied, assertion,
        allowHttpOptions, s.version(), s.createTime(), s.updateTime());
  }

  /**
   * assertionAudience: any printable text without spaces, or null for the default. Reads also show the
   * audience in effect as expectedAudience, which, like url, is ignored on writes.
   */
  private static AssertionOptions assertion(JsonObject body, Service s, List<FieldError> errors) {
    Optional<String> audience = s.assertion().audience();
    if (body.containsKey("assertionAudience")) {
      Object v = body.getValue("assertionAudience");
      if (v == null || (v instanceof String str && str.isBlank())) {
        audience = Optional.empty();
      } else if (v instanceof String str && AssertionOptions.validAudience(str.strip())) {
        audience = Optional.of(str.strip());
      } else {
        errors.add(new FieldError("assertionAudience", "'" + v + "' is not an audience; give printable text "
            + "without spaces of at most " + AssertionOptions.MAX_AUDIENCE + " characters, e.g. "
            + "/projects/123/global/backendServices/456, or null for /projects/PROJECT/services/NAME"));
      }
    }
    return new AssertionOptions(audience, bool(body, "assertionGroups", s.assertion().groups(), errors),
        bool(body, "iapCompatible", s.assertion().iapCompatible(), errors));
  }

  private static boolean bool(JsonObject body, String field, boolean current, List<FieldError> errors) {
    if (!body.containsKey(field)) {
      return current;
    }
    if (body.getValue(field) instanceof Boolean b) {
      return b;
    }
    errors.add(new FieldError(field, "must be true or false"));
    return current;
  }

  /** accessDeniedPageUri: an absolute http(s) URL or null; accessDeniedMessage: plain text or null. */
  private static AccessDenied accessDenied(JsonObject body, AccessDenied current, List<FieldError> errors) {
    Optional<URI> page = current.pageUri();
    Optional<String> message = current.message();
    if (body.containsKey("accessDeniedPageUri")) {
      Object v = body.getValue("accessDeniedPageUri");
      if (v == null || (v instanceof String s0 && s0.isBlank())) {
        page = Optional.empty();
      } else {
        URI u = null;
        try {
          u = v instanceof String str ? new URI(str.trim()) : null;
        } catch (java.net.URISyntaxException e) {
          u = null;
        }
        if (u == null || u.getScheme() == null || !(u.getScheme().equalsIgnoreCase("https")
            || u.getScheme().equalsIgnoreCase("http")) || u.getHost() == null || u.getRawUserInfo() != null) {
          errors.add(new FieldError("accessDeniedPageUri", "'" + v + "' is not an absolute http(s) URL without "
              + "user info, such as https://intranet.example.com/no-access; null for none"));
        } else {
          page = Optional.of(u);
        }
      }
    }
    if (body.containsKey("accessDeniedMessage")) {
      Object v = body.getValue("accessDeniedMessage");
      if (v == null || (v instanceof String s0 && s0.isBlank())) {
        message = Optional.empty();
      } else if (!(v instanceof String str) || str.length() > AccessDenied.MAX_MESSAGE) {
        errors.add(new FieldError("accessDeniedMessage", "must be text of at most " + AccessDenied.MAX_MESSAGE
            + " characters, or null for none"));
      } else {
        message = Optional.of(str.strip());
      }
    }
    return new AccessDenied(page, message);
  }

  private static Optional<Duration> duration(JsonObject t, String f, Optional<Duration> current, List<FieldError> errors) {
    if (!t.containsKey(f)) {
      return current;
    }
    Object v = t.getValue(f);
    if (v == null) {
      return Optional.empty();
    }
    Optional<Duration> d = v instanceof String str ? Durations.parse(str) : Optional.empty();
    if (d.isEmpty()) {
      errors.add(new FieldError("timeouts." + f, "'" + v + "' is not a duration; use e.g. \"500ms\", \"30s\" or \"5m\", "
          + "or null for the default"));
      return current;
    }
    return d;
  }

  private static Optional<String> string(JsonObject body, String field, List<FieldError> errors) {
    if (!body.containsKey(field)) {
      return Optional.empty();
    }
    Object v = body.getValue(field);
    if (!(v instanceof String s)) {
      errors.add(new FieldError(field, "must be a string"));
      return Optional.empty();
    }
    return Optional.of(s);
  }
}
