package dev.portcullis.iam;

import java.util.Optional;

/** The outcome for one request: allowed with the grant that allowed it, or denied with the reason. */
public record Decision(boolean allowed, Optional<Grant> grant, String reason) {
  public static Decision allow(Grant g) {
    return new Decision(true, Optional.of(g), "granted by " + g);
  }

  public static Decision deny(String reason) {
    return new Decision(false, Optional.empty(), reason);
  }
}
