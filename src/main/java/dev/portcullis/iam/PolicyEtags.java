package dev.portcullis.iam;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Optional;

/** Policy etags look like Google's (base64), and are the stored policy's version inside. */
public final class PolicyEtags {
  private PolicyEtags() {}

  public static String of(long version) {
    return Base64.getEncoder().encodeToString(ByteBuffer.allocate(8).putLong(version).array());
  }

  public static Optional<Long> version(String etag) {
    if (etag == null) {
      return Optional.empty();
    }
    try {
      byte[] b = Base64.getDecoder().decode(etag.trim());
      return b.length == 8 ? Optional.of(ByteBuffer.wrap(b).getLong()) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
