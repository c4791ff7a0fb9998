package dev.portcullis.iam;

import java.util.Optional;

/** What let a request in: the binding's resource and role, the member that matched, the condition's title. */
public record Grant(ResourceName resource, String role, String member, Optional<String> conditionTitle) {
  @Override
  public String toString() {
    return role + " on " + resource + " to " + member + conditionTitle.map(t -> " (condition: " + t + ")").orElse("");
  }
}
