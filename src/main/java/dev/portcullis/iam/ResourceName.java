package dev.portcullis.iam;

import dev.portcullis.config.DnsLabel;
import java.util.List;
import java.util.Optional;

/**
 * Where a policy sits: {@code organization}, {@code projects/P} or {@code projects/P/services/S}. A
 * service's effective policy is the union of the policies along its {@link #chain()}.
 */
public record ResourceName(Kind kind, String project, String service) {
  public enum Kind { ORGANIZATION, PROJECT, SERVICE }

  public static final ResourceName ORGANIZATION = new ResourceName(Kind.ORGANIZATION, null, null);

  public static ResourceName project(String project) {
    return new ResourceName(Kind.PROJECT, project, null);
  }

  public static ResourceName service(String project, String service) {
    return new ResourceName(Kind.SERVICE, project, service);
  }

  /** Parses a resource name; the message names what is wrong and what is expected. */
  public static ResourceName parse(String raw) {
    Optional<ResourceName> parsed = tryParse(raw);
    if (parsed.isEmpty()) {
      throw new IllegalArgumentException("'" + raw + "' is not a resource name: use 'organization', "
          + "'projects/PROJECT' or 'projects/PROJECT/services/SERVICE' (PROJECT and SERVICE are DNS labels)");
    }
    return parsed.get();
  }

  public static Optional<ResourceName> tryParse(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    if (raw.equals("organization")) {
      return Optional.of(ORGANIZATION);
    }
    String[] parts = raw.split("/", -1);
    if (parts.length == 2 && parts[0].equals("projects") && DnsLabel.valid(parts[1])) {
      return Optional.of(project(parts[1]));
    }
    if (parts.length == 4 && parts[0].equals("projects") && parts[2].equals("services")
        && DnsLabel.valid(parts[1]) && DnsLabel.valid(parts[3])) {
      return Optional.of(service(parts[1], parts[3]));
    }
    return Optional.empty();
  }

  /** This resource and its ancestors, most specific first. */
  public List<ResourceName> chain() {
    return switch (kind) {
      case ORGANIZATION -> List.of(this);
      case PROJECT -> List.of(this, ORGANIZATION);
      case SERVICE -> List.of(this, project(project), ORGANIZATION);
    };
  }

  @Override
  public String toString() {
    return switch (kind) {
      case ORGANIZATION -> "organization";
      case PROJECT -> "projects/" + project;
      case SERVICE -> "projects/" + project + "/services/" + service;
    };
  }
}
