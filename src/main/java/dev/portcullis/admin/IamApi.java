package dev.portcullis.admin;

import dev.portcullis.iam.Authorizer;
import dev.portcullis.iam.Explanation;
import dev.portcullis.iam.Iam;
import dev.portcullis.iam.Member;
import dev.portcullis.iam.Permissions;
import dev.portcullis.iam.PolicyJson;
import dev.portcullis.iam.PredefinedRoles;
import dev.portcullis.iam.Principal;
import dev.portcullis.iam.RequestFacts;
import dev.portcullis.iam.ResourceName;
import dev.portcullis.iam.Role;
import dev.portcullis.service.ServiceCatalog;
import dev.portcullis.service.ValidationException;
import dev.portcullis.store.NotFoundException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * IAM in Google's API shape: {@code POST /v1/RESOURCE:getIamPolicy | :setIamPolicy | :testIamPermissions}
 * on {@code organization}, {@code projects/P} and {@code projects/P/services/S}; roles under
 * {@code /v1/roles} and {@code /v1/customRoles}; and {@code POST /v1/iam:troubleshoot}.
 */
final class IamApi {
  static final String POLICY_ROUTE = "^/v1/(.+):(getIamPolicy|setIamPolicy|testIamPermissions)$";

  private final Vertx vertx;
  private final Iam iam;
  private final Authorizer authorizer;
  private final Supplier<ServiceCatalog> catalog;
  private final String domain;

  IamApi(Vertx vertx, Iam iam, Authorizer authorizer, Supplier<ServiceCatalog> catalog, String domain) {
    this.vertx = vertx;
    this.iam = iam;
    this.authorizer = authorizer;
    this.catalog = catalog;
    this.domain = domain;
  }

  void mount(Router router) {
    router.routeWithRegex(HttpMethod.POST, POLICY_ROUTE).handler(this::policy);
    router.routeWithRegex(HttpMethod.GET, "^/v1/(.+):getIamPolicy$").handler(this::policy);
    router.get("/v1/roles").handler(this::listRoles);
    router.get("/v1/roles/:id").handler(rc -> role(rc, "roles/" + rc.pathParam("id")));
    router.get("/v1/customRoles/:id").handler(rc -> role(rc, Iam.CUSTOM_ROLE_PREFIX + rc.pathParam("id")));
    router.post("/v1/customRoles").handler(this::createRole);
    router.patch("/v1/customRoles/:id").handler(this::updateRole);
    router.delete("/v1/customRoles/:id").handler(this::deleteRole);
    router.post("/v1/iam:troubleshoot").handler(this::troubleshoot);
  }

  /** The resource named in a policy route's path, or null after answering 400. */
  static ResourceName resourceOf(RoutingContext rc) {
    String raw = rc.pathParam("param0");
    Optional<ResourceName> r = ResourceName.tryParse(raw);
    if (r.isEmpty()) {
      ApiError.send(rc, 400, "INVALID_ARGUMENT", "'" + raw + "' is not a resource name: use organization, "
          + "projects/PROJECT or projects/PROJECT/services/SERVICE");
      return null;
    }
    return r.get();
  }

  private void policy(RoutingContext rc) {
    ResourceName resource = resourceOf(rc);
    if (resource == null) {
      return;
    }
    String verb = rc.request().path().substring(rc.request().path().lastIndexOf(':') + 1);
    switch (verb) {
      case "getIamPolicy" -> Requests.blocking(vertx, rc, () -> PolicyJson.toJson(iam.getPolicy(resource)), 200);
      case "setIamPolicy" -> {
        JsonObject body = Requests.body(rc, false, "{\"policy\": {\"bindings\": [...], \"etag\": \"...\"}}");
        if (body == null) {
          return;
        }
        if (!(body.getValue("policy") instanceof JsonObject policy)) {
          AdminServer.fail(rc, new ValidationException("policy", "the body must hold the new policy as \"policy\", "
              + "as getIamPolicy returns it"));
          return;
        }
        Requests.blocking(vertx, rc, () -> PolicyJson.toJson(iam.setPolicy(resource, policy)), 200);
      }
      default -> testPermissions(rc, resource);
    }
  }

  /** The subset of the asked permissions that the caller holds on the resource. */
  private void testPermissions(RoutingContext rc, ResourceName resource) {
    JsonObject body = Requests.body(rc, false, "{\"permissions\": [\"" + Permissions.ACCESS + "\"]}");
    if (body == null) {
      return;
    }
    if (!(body.getValue("permissions") instanceof JsonArray asked)) {
      AdminServer.fail(rc, new ValidationException("permissions", "a list of permission names is required"));
      return;
    }
    AdminCaller caller = AdminCaller.of(rc);
    JsonArray granted = new JsonArray();
    for (int i = 0; i < asked.size(); i++) {
      if (!(asked.getValue(i) instanceof String p)) {
        AdminServer.fail(rc, new ValidationException("permissions[" + i + "]", "must be a string"));
        return;
      }
      if (!Permissions.ALL.contains(p)) {
        continue;
      }
      if (caller.breakGlass() || authorizer.decide(caller.principal(), resource, p, AdminCaller.facts(rc)).allowed()) {
        granted.add(p);
      }
    }
    rc.response().putHeader("content-type", "application/json").putHeader("cache-control", "no-store")
        .end(new JsonObject().put("permissions", granted).encodePrettily());
  }

  private void listRoles(RoutingContext rc) {
    JsonArray roles = new JsonArray();
    iam.roles().stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(r -> roles.add(roleJson(r)));
    rc.response().putHeader("content-type", "application/json").putHeader("cache-control", "no-store")
        .end(new JsonObject().put("roles", roles).encodePrettily());
  }

  private void role(RoutingContext rc, String name) {
    Requests.blocking(vertx, rc, () -> roleJson(iam.role(name)), 200);
  }

  private void createRole(RoutingContext rc) {
    JsonObject body = Requests.body(rc, false, "{\"roleId\": \"reportsReader\", \"title\": \"Reports reader\", "
        + "\"includedPermissions\": [\"" + Permissions.ACCESS + "\"]}");
    if (body == null) {
      return;
    }
    Object id = body.getValue("roleId");
    JsonObject role = body.getValue("role") instanceof JsonObject r ? r : body;
    Requests.blocking(vertx, rc, () -> roleJson(iam.createRole(id instanceof String s ? s : null, role)), 201);
  }

  private void updateRole(RoutingContext rc) {
    JsonObject body = Requests.body(rc, false, "{\"title\": \"...\", \"includedPermissions\": [...]}");
    if (body == null) {
      return;
    }
    Optional<Long> expected = Requests.etagOr400(rc, body);
    if (expected == null) {
      return;
    }
    Requests.blocking(vertx, rc, () -> roleJson(iam.updateRole(Iam.CUSTOM_ROLE_PREFIX + rc.pathParam("id"), body,
        expected)), 200);
  }

  private void deleteRole(RoutingContext rc) {
    Optional<Long> expected = Requests.etagOr400(rc, new JsonObject());
    if (expected == null) {
      return;
    }
    String name = Iam.CUSTOM_ROLE_PREFIX + rc.pathParam("id");
    Requests.blocking(vertx, rc, () -> {
      iam.deleteRole(name, expected);
      return new JsonObject().put("deleted", name);
    }, 200);
  }


  static JsonObject roleJson(Role r) {
    return new JsonObject().put("name", r.name()).put("title", r.title()).put("description", r.description())
        .put("includedPermissions", new JsonArray(r.includedPermissions().stream().sorted().toList()))
        .put("stage", r.predefined() ? "GA" : "CUSTOM")
        .put("etag", dev.portcullis.service.Etags.of(r.version()));
  }

  /**
   * {"member": "user:ana@example.com", "url": "https://dash.example.com/reports", "method": "GET",
   * "clientIp": "10.1.2.3", "time": "2026-..."}: the decision for that member on that URL, explained.
   */
  private void troubleshoot(RoutingContext rc) {
    JsonObject body = Requests.body(rc, false,
        "{\"member\": \"user:ana@example.com\", \"url\": \"https://dash.example.com/reports\"}");
    if (body == null) {
      return;
    }
    Requests.blocking(vertx, rc, () -> explain(body), 200);
  }

  private JsonObject explain(JsonObject body) {
    Object m = body.getValue("member");
    if (!(m instanceof String memberText)) {
      throw new ValidationException("member", "a member is required, such as user:ana@example.com");
    }
    Member member;
    try {
      member = Member.parse(memberText);
    } catch (IllegalArgumentException e) {
      throw new ValidationException("member", e.getMessage());
    }
    Optional<Principal> principal = switch (member) {
      case Member.User u -> Optional.of(Principal.user(u.email()));
      case Member.ServiceAccount s -> Optional.of(Principal.serviceAccount(s.email()));
      case Member.AllUsers a -> Optional.empty();
      default -> throw new ValidationException("member", "troubleshoot a caller: user:EMAIL, serviceAccount:EMAIL "
          + "or allUsers (an anonymous caller)");
    };
    Object u = body.getValue("url");
    if (!(u instanceof String urlText)) {
      throw new ValidationException("url", "the URL the member would open is required, such as "
          + "https://dash." + domain + "/reports");
    }
    URI url;
    try {
      url = new URI(urlText.trim());
    } catch (URISyntaxException e) {
      throw new ValidationException("url", "'" + urlText + "' is not a URL: " + e.getMessage());
    }
    if (url.getHost() == null || url.getScheme() == null) {
      throw new ValidationException("url", "'" + urlText + "' is not an absolute http(s) URL");
    }
    String host = url.getHost().toLowerCase(Locale.ROOT);
    var service = catalog.get().byHost(host).orElseThrow(() ->
        new NotFoundException("no service answers on " + host));
    String method = body.getValue("method") instanceof String s ? s.toUpperCase(Locale.ROOT) : "GET";
    String clientIp = body.getValue("clientIp") instanceof String s ? s : null;
    Instant time = Instant.now();
    if (body.getValue("time") instanceof String t) {
      try {
        time = Instant.parse(t);
      } catch (java.time.format.DateTimeParseException e) {
        throw new ValidationException("time", "'" + t + "' is not an RFC 3339 time such as 2026-11-23T09:00:00Z");
      }
    }
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    Explanation e = authorizer.explain(principal, ResourceName.service(service.project(), service.name()),
        Permissions.ACCESS, new RequestFacts(host, path, method, time, clientIp));
    return explanationJson(e, service.iap());
  }

  static JsonObject explanationJson(Explanation e, boolean iapOn) {
    JsonArray bindings = new JsonArray();
    for (Explanation.BindingExplanation b : e.bindings()) {
      JsonObject o = new JsonObject().put("resource", b.resource().toString()).put("role", b.binding().role())
          .put("members", new JsonArray(b.binding().members().stream().map(Member::key).toList()))
          .put("grants", b.grants());
      b.matchedMember().ifPresent(mm -> o.put("matchedMember", mm));
      if (!b.via().isEmpty()) {
        o.put("via", new JsonArray(b.via()));
      }
      b.notMatched().ifPresent(n -> o.put("notMatched", n));
      b.condition().ifPresent(c -> {
        JsonObject cj = new JsonObject().put("title", c.condition().title())
            .put("expression", c.condition().expression()).put("value", c.value());
        c.error().ifPresent(err -> cj.put("error", err));
        JsonObject values = new JsonObject();
        c.values().forEach((k, v) -> values.put(k, v == null ? null : v instanceof java.util.List<?> l
            ? new JsonArray(l.stream().map(String::valueOf).toList()) : String.valueOf(v)));
        cj.put("values", values);
        o.put("condition", cj);
      });
      bindings.add(o);
    }
    JsonObject out = new JsonObject().put("member", e.member()).put("resource", e.resource().toString())
        .put("permission", e.permission()).put("allowed", e.decision().allowed())
        .put("reason", e.decision().reason()).put("bindings", bindings);
    e.decision().grant().ifPresent(g -> out.put("grantedBy", new JsonObject().put("resource", g.resource().toString())
        .put("role", g.role()).put("member", g.member()).put("condition", g.conditionTitle().orElse(null))));
    if (!iapOn) {
      out.put("note", "IAP is off for this service: the gateway lets every request through without this check");
    }
    return out;
  }
}
