package dev.portcullis.service;

import dev.portcullis.config.DnsLabel;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** The rules a service must satisfy before it is stored. Each broken rule names its field. */
public final class ServiceValidator {
  /** Names kept for Portcullis's own hosts (sign-in, console). */
  public static final Set<String> RESERVED_NAMES = Set.of("auth", "console", "admin", "portcullis");
  private static final Pattern PROJECT = Pattern.compile("[a-z][a-z0-9-]{0,61}[a-z0-9]|[a-z]");
  private static final Duration MAX_TIMEOUT = Duration.ofHours(24);

  /** What {@link #validProject} checks, for error messages. */
  public static final String PROJECT_RULE = "must be 1 to 63 lower-case letters, digits or '-', starting with a letter";

  private ServiceValidator() {}

  /** A project id, shared by services and service accounts: a DNS label that starts with a letter. */
  public static boolean validProject(String project) {
    return project != null && PROJECT.matcher(project).matches();
  }

  public static List<FieldError> validate(Service s) {
    List<FieldError> errors = new ArrayList<>();
    if (s.name() == null || !DnsLabel.valid(s.name())) {
      errors.add(new FieldError("name", "must be a DNS label: 1 to 63 lower-case letters, digits or '-', "
          + "not starting or ending with '-'"));
    } else if (RESERVED_NAMES.contains(s.name())) {
      errors.add(new FieldError("name", "'" + s.name() + "' is reserved for Portcullis itself; choose another name"));
    }
    if (!validProject(s.project())) {
      errors.add(new FieldError("project", PROJECT_RULE));
    }
    upstreamProblem(s.upstream()).ifPresent(p -> errors.add(new FieldError("upstream", p)));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < s.hosts().size(); i++) {
      String h = s.hosts().get(i);
      if (!DnsLabel.validHostName(h)) {
        errors.add(new FieldError("hosts[" + i + "]", "'" + h + "' is not a host name; use lower-case DNS names "
            + "such as app.example.com, without scheme, port or path"));
      } else if (!seen.add(h)) {
        errors.add(new FieldError("hosts[" + i + "]", "'" + h + "' is listed twice"));
      }
    }
    checkTimeout("timeouts.connect", s.timeouts().connect(), errors);
    checkTimeout("timeouts.response", s.timeouts().response(), errors);
    checkTimeout("timeouts.idle", s.timeouts().idle(), errors);
    s.reauthMaxAge().filter(d -> d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofDays(30)) > 0)
        .ifPresent(d -> errors.add(new FieldError("reauthMaxAge", "must be between 1s and 30 days (720h)")));
    return errors;
  }

  private static void checkTimeout(String field, Optional<Duration> d, List<FieldError> errors) {
    d.filter(x -> x.isZero() || x.isNegative() || x.compareTo(MAX_TIMEOUT) > 0).ifPresent(x ->
        errors.add(new FieldError(field, "must be more than 0 and at most 24h")));
  }

  public static Optional<String> upstreamProblem(URI u) {
    String allowed = "; use http://HOST[:PORT] or https://HOST[:PORT], e.g. http://127.0.0.1:8501";
    if (u == null) {
      return Optional.of("is required" + allowed);
    }
    if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
      return Optional.of("'" + u + "' must use http or https" + allowed);
    }
    if (u.getRawUserInfo() != null) {
      return Optional.of("must not contain a user name or password" + allowed);
    }
    if (u.getHost() == null || u.getHost().isEmpty()) {
      return Optional.of("'" + u + "' has no host" + allowed);
    }
    if (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/")) {
      return Optional.of("must not have a path (requests keep their own path)" + allowed);
    }
    if (u.getRawQuery() != null || u.getRawFragment() != null) {
      return Optional.of("must not have a query or fragment" + allowed);
    }
    return Optional.empty();
  }
}
