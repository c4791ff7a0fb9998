package dev.portcullis.iam.condition;

import java.time.Instant;
import java.util.List;

/**
 * A named access level, as in Google's Access Context Manager: either a list of IP subnetworks (satisfied
 * when the client address is in one of them) or a CEL expression over the request (satisfied when true).
 * Exactly one of the two is set; {@link AccessLevels} refuses anything else. Conditions test for it with
 * {@code 'accessLevels/NAME' in request.auth.access_levels}.
 *
 * @param name {@code accessLevels/NAME}, NAME a lower-case identifier
 * @param ipSubnetworks IPv4/IPv6 CIDR blocks with the host bits zero; empty when expression is set
 * @param expression CEL over request.* except request.auth.access_levels; null when ipSubnetworks is set
 */
public record AccessLevel(String name, String title, String description, List<String> ipSubnetworks,
    String expression, long version, Instant updateTime) {
  public static final String PREFIX = "accessLevels/";

  public AccessLevel {
    title = title == null ? "" : title;
    description = description == null ? "" : description;
    ipSubnetworks = ipSubnetworks == null ? List.of() : List.copyOf(ipSubnetworks);
  }

  /** A level as a client describes it, before the store gives it a version. */
  public static AccessLevel of(String name, String title, String description, List<String> ipSubnetworks,
      String expression) {
    return new AccessLevel(name, title, description, ipSubnetworks, expression, 0, Instant.EPOCH);
  }

  /** NAME in accessLevels/NAME. */
  public String shortName() {
    return name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
  }

  /** The full name for NAME or accessLevels/NAME. */
  public static String fullName(String nameOrShort) {
    return nameOrShort.startsWith(PREFIX) ? nameOrShort : PREFIX + nameOrShort;
  }

  public AccessLevel withVersion(long version, Instant updateTime) {
    return new AccessLevel(name, title, description, ipSubnetworks, expression, version, updateTime);
  }
}
