package dev.portcullis.iam;

import java.util.List;
import java.util.Set;

/** The roles every deployment has. Their names and meanings follow Google IAP's where IAP has them. */
public final class PredefinedRoles {
  private PredefinedRoles() {}

  public static final String ACCESSOR = "roles/iap.httpsResourceAccessor";
  public static final String IAP_ADMIN = "roles/iap.admin";
  public static final String ADMIN = "roles/portcullis.admin";
  public static final String VIEWER = "roles/portcullis.viewer";

  public static final List<Role> ALL = List.of(
      new Role(ACCESSOR, "IAP-secured Web App User", "Reach the services this role is granted on.",
          Set.of(Permissions.ACCESS), true, 0),
      new Role(IAP_ADMIN, "IAP Policy Admin",
          "Read and change IAM policies. Does not by itself reach the services.",
          Set.of(Permissions.GET_IAM_POLICY, Permissions.SET_IAM_POLICY, Permissions.ROLES_LIST,
              Permissions.ROLES_GET, Permissions.TROUBLESHOOT), true, 0),
      new Role(ADMIN, "Portcullis Admin",
          "Everything in the admin API: services, policies, roles, groups, users, service accounts, sessions, "
              + "access levels. Does not by itself reach the services.", Permissions.ADMIN, true, 0),
      new Role(VIEWER, "Portcullis Viewer", "Read everything in the admin API; change nothing.",
          Permissions.READ, true, 0));
}
