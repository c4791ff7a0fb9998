package dev.portcullis.admin;

import dev.portcullis.iam.Authorizer;
import dev.portcullis.iam.Permissions;
import dev.portcullis.iam.ResourceName;
import dev.portcullis.service.Service;
import dev.portcullis.service.ServiceCatalog;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * IAM over the admin API: which permission each endpoint needs, on which resource, checked for every
 * call that is not made with the break-glass token. An endpoint missing from this table is refused,
 * so a new endpoint is closed until it is listed here.
 */
final class AdminAccess {
  /** Checked without a permission: they only report on the caller or check syntax. */
  private static final Pattern OPEN = Pattern.compile("^/v1/(conditions:validate|.+:testIamPermissions)$");
  private static final Pattern POLICY = Pattern.compile(IamApi.POLICY_ROUTE);
  private static final Pattern SERVICE = Pattern.compile("^/v1/services/([^/]+)$");

  private final Authorizer authorizer;
  private final Supplier<ServiceCatalog> catalog;

  AdminAccess(Authorizer authorizer, Supplier<ServiceCatalog> catalog) {
    this.authorizer = authorizer;
    this.catalog = catalog;
  }

  /** What a call needs: a permission on a resource. */
  record Required(String permission, ResourceName resource) {}

  void check(RoutingContext rc) {
    AdminCaller caller = AdminCaller.of(rc);
    if (caller.breakGlass()) {
      rc.next();
      return;
    }
    String path = rc.request().path();
    if (OPEN.matcher(path).matches()) {
      rc.next();
      return;
    }
    Optional<Required> required = required(rc.request().method(), path, rc);
    if (required.isEmpty()) {
      ApiError.send(rc, 403, "PERMISSION_DENIED", caller.describe() + " may not call " + rc.request().method() + " "
          + path + " (only the bootstrap admin token may)");
      return;
    }
    java.util.List<Required> all = new java.util.ArrayList<>();
    all.add(required.get());
    movedToProject(rc, path).ifPresent(all::add);
    for (Required r : all) {
      if (!authorizer.decide(caller.principal(), r.resource(), r.permission(), AdminCaller.facts(rc)).allowed()) {
        ApiError.send(rc, 403, "PERMISSION_DENIED", "permission '" + r.permission() + "' denied on " + r.resource()
            + " for " + caller.describe() + "; a role that holds it must be granted there or above");
        return;
      }
    }
    rc.next();
  }

  /**
   * Moving a service to another project puts it under that project's bindings: it takes the right to
   * create services there too, not only to change the service where it is.
   */
  private Optional<Required> movedToProject(RoutingContext rc, String path) {
    Matcher service = SERVICE.matcher(path);
    if (rc.request().method() != HttpMethod.PATCH || !service.matches()) {
      return Optional.empty();
    }
    JsonObject body = body(rc);
    if (body == null || !(body.getValue("project") instanceof String project)) {
      return Optional.empty();
    }
    Optional<Service> current = catalog.get().byName(service.group(1));
    if (current.isEmpty() || current.get().project().equals(project)) {
      return Optional.empty();
    }
    return Optional.of(new Required(Permissions.SERVICES_CREATE,
        ResourceName.tryParse("projects/" + project).orElse(ResourceName.ORGANIZATION)));
  }

  Optional<Required> required(HttpMethod method, String path, RoutingContext rc) {
    boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD;
    ResourceName org = ResourceName.ORGANIZATION;
    Matcher policy = POLICY.matcher(path);
    if (policy.matches() || path.endsWith(":getIamPolicy")) {
      String resource = path.substring("/v1/".length(), path.lastIndexOf(':'));
      Optional<ResourceName> name = ResourceName.tryParse(resource);
      if (name.isEmpty()) {
        return Optional.of(new Required(Permissions.SET_IAM_POLICY, org));
      }
      return Optional.of(new Required(path.endsWith(":setIamPolicy") ? Permissions.SET_IAM_POLICY
          : Permissions.GET_IAM_POLICY, name.get()));
    }
    if (path.equals("/v1/services")) {
      if (read) {
        return Optional.of(new Required(Permissions.SERVICES_LIST, org));
      }
      JsonObject body = body(rc);
      String project = body != null && body.getValue("project") instanceof String p ? p : Service.DEFAULT_PROJECT;
      return Optional.of(new Required(Permissions.SERVICES_CREATE,
          ResourceName.tryParse("projects/" + project).orElse(org)));
    }
    Matcher service = SERVICE.matcher(path);
    if (service.matches()) {
      ResourceName resource = catalog.get().byName(service.group(1))
          .map(s -> ResourceName.service(s.project(), s.name())).orElse(org);
      String p = read ? Permissions.SERVICES_GET
          : method == HttpMethod.DELETE ? Permissions.SERVICES_DELETE : Permissions.SERVICES_UPDATE;
      return Optional.of(new Required(p, resource));
    }
    if (path.equals("/v1/iam:troubleshoot")) {
      return Optional.of(new Required(Permissions.TROUBLESHOOT, org));
    }
    if (path.equals("/v1/roles") || path.startsWith("/v1/roles/") || path.equals("/v1/customRoles")
        || path.startsWith("/v1/customRoles/")) {
      return Optional.of(new Required(crud(method, path, "/v1/customRoles", Permissions.ROLES_LIST,
          Permissions.ROLES_GET, Permissions.ROLES_CREATE, Permissions.ROLES_UPDATE, Permissions.ROLES_DELETE), org));
    }
    if (path.equals("/v1/groups") || path.startsWith("/v1/groups/")) {
      return Optional.of(new Required(crud(method, path, "/v1/groups", Permissions.GROUPS_LIST, Permissions.GROUPS_GET,
          Permissions.GROUPS_CREATE, Permissions.GROUPS_UPDATE, Permissions.GROUPS_DELETE), org));
    }
    if (path.equals("/v1/serviceAccounts") || path.startsWith("/v1/serviceAccounts/")) {
      return Optional.of(new Required(crud(method, path, "/v1/serviceAccounts", Permissions.SERVICE_ACCOUNTS_LIST,
          Permissions.SERVICE_ACCOUNTS_GET, Permissions.SERVICE_ACCOUNTS_CREATE, Permissions.SERVICE_ACCOUNTS_UPDATE,
          Permissions.SERVICE_ACCOUNTS_DELETE), org));
    }
    if (path.equals("/v1/accessLevels") || path.startsWith("/v1/accessLevels/")) {
      return Optional.of(new Required(crud(method, path, "/v1/accessLevels", Permissions.ACCESS_LEVELS_LIST,
          Permissions.ACCESS_LEVELS_GET, Permissions.ACCESS_LEVELS_CREATE, Permissions.ACCESS_LEVELS_UPDATE,
          Permissions.ACCESS_LEVELS_DELETE), org));
    }
    if (path.equals("/v1/users") || path.startsWith("/v1/users/")) {
      String p = read ? (path.equals("/v1/users") ? Permissions.USERS_LIST : Permissions.USERS_GET)
          : path.equals("/v1/users") && method == HttpMethod.POST ? Permissions.USERS_CREATE : Permissions.USERS_UPDATE;
      return Optional.of(new Required(p, org));
    }
    if (path.equals("/v1/keys")) {
      return read ? Optional.of(new Required(Permissions.KEYS_LIST, org)) : Optional.empty();
    }
    if (path.equals(KeysApi.ROTATE_PATH)) {
      return method == HttpMethod.POST ? Optional.of(new Required(Permissions.KEYS_ROTATE, org)) : Optional.empty();
    }
    if (path.equals("/v1/audit/events")) {
      return read ? Optional.of(new Required(Permissions.AUDIT_LIST, org)) : Optional.empty();
    }
    if (path.equals("/v1/sessions") || path.startsWith("/v1/sessions/")) {
      return Optional.of(new Required(read ? Permissions.SESSIONS_LIST : Permissions.SESSIONS_REVOKE, org));
    }
    return Optional.empty();
  }

  /** list / get / create / update / delete by method and whether the path names one item. */
  private static String crud(HttpMethod method, String path, String collection, String list, String get,
      String create, String update, String delete) {
    boolean item = !path.equals(collection) && !path.equals("/v1/roles");
    if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
      return item ? get : list;
    }
    if (!item && method == HttpMethod.POST) {
      return create;
    }
    // A DELETE of a sub-resource (a group's member) changes the item; deleting the item itself deletes.
    if (method == HttpMethod.DELETE && path.indexOf('/', collection.length() + 1) < 0) {
      return delete;
    }
    return update;
  }

  private static JsonObject body(RoutingContext rc) {
    try {
      return rc.body().asJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }
}
