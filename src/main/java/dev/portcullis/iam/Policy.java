package dev.portcullis.iam;

import java.util.List;

/**
 * An IAM policy in Google's shape. {@code version} is 3 when any binding has a condition, 1 otherwise,
 * as Google's policies are; {@code etag} identifies the stored revision, for read-modify-write.
 */
public record Policy(int version, String etag, List<Binding> bindings) {
  public Policy {
    bindings = List.copyOf(bindings);
  }

  public static int versionFor(List<Binding> bindings) {
    return bindings.stream().anyMatch(b -> b.condition().isPresent()) ? 3 : 1;
  }
}
