package dev.portcullis.iam;

import dev.portcullis.iam.condition.CompiledCondition;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One binding, arranged for deciding fast: exact members in a hash set, groups and domains apart, and
 * the condition compiled once. A condition that no longer compiles is kept as {@code brokenCondition}
 * and never grants.
 */
final class CompiledBinding {
  final ResourceName resource;
  final Binding binding;
  final Role role;
  final Set<String> exact = new HashSet<>();
  final Set<String> domains = new HashSet<>();
  final String[] groups;
  final boolean allUsers;
  final boolean allAuthenticatedUsers;
  final Optional<CompiledCondition> condition;
  final Optional<String> brokenCondition;

  CompiledBinding(ResourceName resource, Binding binding, Role role, Optional<CompiledCondition> condition,
      Optional<String> brokenCondition) {
    this.resource = resource;
    this.binding = binding;
    this.role = role;
    this.condition = condition;
    this.brokenCondition = brokenCondition;
    List<String> groupList = new java.util.ArrayList<>();
    boolean all = false;
    boolean allAuth = false;
    for (Member m : binding.members()) {
      switch (m) {
        case Member.User u -> exact.add(u.key());
        case Member.ServiceAccount s -> exact.add(s.key());
        case Member.Group g -> groupList.add(g.email());
        case Member.Domain d -> domains.add(d.domain());
        case Member.AllUsers a -> all = true;
        case Member.AllAuthenticatedUsers a -> allAuth = true;
      }
    }
    this.groups = groupList.toArray(String[]::new);
    this.allUsers = all;
    this.allAuthenticatedUsers = allAuth;
  }

  boolean conditional() {
    return binding.condition().isPresent();
  }
}
