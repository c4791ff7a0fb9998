package dev.portcullis.iam;

import java.util.List;
import java.util.Optional;

/** Grants {@code role} to {@code members}, when {@code condition} (if any) holds for the request. */
public record Binding(String role, List<Member> members, Optional<Condition> condition) {
  public Binding {
    members = List.copyOf(members);
  }
}
