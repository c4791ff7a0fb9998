package dev.portcullis.iam.condition;

import java.time.Instant;
import java.util.List;

/**
 * What a condition sees of one request. The caller normalizes: host lower-case, path decoded and with its
 * dot segments resolved, method upper-case; clientIp is an IP literal, or null when unknown (an expression
 * that reads it then fails, and so counts as false). accessLevels are the full names
 * ({@code accessLevels/NAME}) of the levels the request satisfied.
 */
public record RequestAttributes(String host, String path, String method, Instant time, String clientIp,
    List<String> accessLevels) {

  public RequestAttributes {
    accessLevels = accessLevels == null ? List.of() : List.copyOf(accessLevels);
  }
}
