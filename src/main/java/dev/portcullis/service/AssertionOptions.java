package dev.portcullis.service;

import java.util.Optional;

/**
 * What the signed assertion sent to a service says: its {@code aud} (default
 * {@code /projects/PROJECT/services/NAME}), whether it lists the caller's groups, and whether Google IAP's
 * headers are sent as well, so that an app written for IAP runs unchanged but for its key URL and audience.
 */
public record AssertionOptions(Optional<String> audience, boolean groups, boolean iapCompatible) {
  public static final AssertionOptions DEFAULTS = new AssertionOptions(Optional.empty(), false, false);
  public static final int MAX_AUDIENCE = 512;

  /** The audience the service's assertions carry. */
  public String audienceFor(Service s) {
    return audience.orElse("/projects/" + s.project() + "/services/" + s.name());
  }

  /** Printable ASCII without spaces, at most 512 characters. */
  public static boolean validAudience(String a) {
    return !a.isEmpty() && a.length() <= MAX_AUDIENCE && a.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }
}
