package dev.portcullis.iam;

import java.util.Set;
import java.util.TreeSet;

/**
 * Every permission Portcullis checks. The access permission keeps Google IAP's name, so a role written
 * for IAP means the same here; the rest govern the admin API.
 */
public final class Permissions {
  private Permissions() {}

  /** Reach a service through the gateway. */
  public static final String ACCESS = "iap.webServiceVersions.accessViaIAP";

  public static final String GET_IAM_POLICY = "iap.webServices.getIamPolicy";
  public static final String SET_IAM_POLICY = "iap.webServices.setIamPolicy";

  public static final String SERVICES_LIST = "portcullis.services.list";
  public static final String SERVICES_GET = "portcullis.services.get";
  public static final String SERVICES_CREATE = "portcullis.services.create";
  public static final String SERVICES_UPDATE = "portcullis.services.update";
  public static final String SERVICES_DELETE = "portcullis.services.delete";

  public static final String ROLES_LIST = "portcullis.roles.list";
  public static final String ROLES_GET = "portcullis.roles.get";
  public static final String ROLES_CREATE = "portcullis.roles.create";
  public static final String ROLES_UPDATE = "portcullis.roles.update";
  public static final String ROLES_DELETE = "portcullis.roles.delete";

  public static final String GROUPS_LIST = "portcullis.groups.list";
  public static final String GROUPS_GET = "portcullis.groups.get";
  public static final String GROUPS_CREATE = "portcullis.groups.create";
  public static final String GROUPS_UPDATE = "portcullis.groups.update";
  public static final String GROUPS_DELETE = "portcullis.groups.delete";

  public static final String USERS_LIST = "portcullis.users.list";
  public static final String USERS_GET = "portcullis.users.get";
  public static final String USERS_CREATE = "portcullis.users.create";
  public static final String USERS_UPDATE = "portcullis.users.update";

  public static final String SERVICE_ACCOUNTS_LIST = "portcullis.serviceAccounts.list";
  public static final String SERVICE_ACCOUNTS_GET = "portcullis.serviceAccounts.get";
  public static final String SERVICE_ACCOUNTS_CREATE = "portcullis.serviceAccounts.create";
  public static final String SERVICE_ACCOUNTS_UPDATE = "portcullis.serviceAccounts.update";
  public static final String SERVICE_ACCOUNTS_DELETE = "portcullis.serviceAccounts.delete";

  public static final String SESSIONS_LIST = "portcullis.sessions.list";
  public static final String SESSIONS_REVOKE = "portcullis.sessions.revoke";

  public static final String ACCESS_LEVELS_LIST = "portcullis.accessLevels.list";
  public static final String ACCESS_LEVELS_GET = "portcullis.accessLevels.get";
  public static final String ACCESS_LEVELS_CREATE = "portcullis.accessLevels.create";
  public static final String ACCESS_LEVELS_UPDATE = "portcullis.accessLevels.update";
  public static final String ACCESS_LEVELS_DELETE = "portcullis.accessLevels.delete";

  public static final String TROUBLESHOOT = "portcullis.iam.troubleshoot";

  public static final String KEYS_LIST = "portcullis.keys.list";
  public static final String KEYS_ROTATE = "portcullis.keys.rotate";

  public static final String AUDIT_LIST = "portcullis.audit.list";

  /** Permissions that only read; the viewer role holds exactly these. */
  public static final Set<String> READ = Set.of(GET_IAM_POLICY, SERVICES_LIST, SERVICES_GET, ROLES_LIST, ROLES_GET,
      GROUPS_LIST, GROUPS_GET, USERS_LIST, USERS_GET, SERVICE_ACCOUNTS_LIST, SERVICE_ACCOUNTS_GET, SESSIONS_LIST,
      ACCESS_LEVELS_LIST, ACCESS_LEVELS_GET, TROUBLESHOOT, KEYS_LIST, AUDIT_LIST);

  /** Everything the admin API checks (not {@link #ACCESS}: administering is not using the apps). */
  public static final Set<String> ADMIN = Set.of(GET_IAM_POLICY, SET_IAM_POLICY, SERVICES_LIST, SERVICES_GET,
      SERVICES_CREATE, SERVICES_UPDATE, SERVICES_DELETE, ROLES_LIST, ROLES_GET, ROLES_CREATE, ROLES_UPDATE,
      ROLES_DELETE, GROUPS_LIST, GROUPS_GET, GROUPS_CREATE, GROUPS_UPDATE, GROUPS_DELETE, USERS_LIST, USERS_GET,
      USERS_CREATE, USERS_UPDATE, SERVICE_ACCOUNTS_LIST, SERVICE_ACCOUNTS_GET, SERVICE_ACCOUNTS_CREATE,
      SERVICE_ACCOUNTS_UPDATE, SERVICE_ACCOUNTS_DELETE, SESSIONS_LIST, SESSIONS_REVOKE, ACCESS_LEVELS_LIST,
      ACCESS_LEVELS_GET, ACCESS_LEVELS_CREATE, ACCESS_LEVELS_UPDATE, ACCESS_LEVELS_DELETE, TROUBLESHOOT, KEYS_LIST,
      KEYS_ROTATE, AUDIT_LIST);

  /** Every known permission; a custom role may hold only these. */
  public static final Set<String> ALL;

  static {
    Set<String> all = new TreeSet<>(ADMIN);
    all.add(ACCESS);
    ALL = java.util.Collections.unmodifiableSet(all);
  }
}
