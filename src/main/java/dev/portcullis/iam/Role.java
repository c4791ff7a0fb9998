package dev.portcullis.iam;

import java.util.Set;

/**
 * A named set of permissions. Predefined roles are named {@code roles/...}; custom roles, defined
 * through the API, are named {@code customRoles/ID}.
 */
public record Role(String name, String title, String description, Set<String> includedPermissions,
    boolean predefined, long version) {
  public Role {
    includedPermissions = Set.copyOf(includedPermissions);
  }

  public boolean grants(String permission) {
    return includedPermissions.contains(permission);
  }
}
