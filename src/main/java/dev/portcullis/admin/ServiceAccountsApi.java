package dev.portcullis.admin;

import dev.portcullis.authn.Emails;
import dev.portcullis.directory.Directory;
import dev.portcullis.directory.ServiceAccountName;
import dev.portcullis.service.FieldError;
import dev.portcullis.service.Service;
import dev.portcullis.service.ValidationException;
import dev.portcullis.store.NotFoundException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;

/**
 * /v1/serviceAccounts: workload identities named {@code ACCOUNT_ID@PROJECT.iam.portcullis.internal}, with
 * Google's custom methods POST /v1/serviceAccounts/EMAIL:disable and :enable. A disabled or deleted account
 * is refused on its next request: the answer comes after the directory snapshot has been rebuilt.
 */
final class ServiceAccountsApi {
  private static final String CREATE_EXAMPLE = "{\"accountId\": \"ci-deploy\", \"project\": \"default\"}";

  private final Vertx vertx;
  private final Directory directory;

  ServiceAccountsApi(Vertx vertx, Directory directory) {
    this.vertx = vertx;
    this.directory = directory;
  }

  void mount(Router router) {
    router.get("/v1/serviceAccounts").handler(this::list);
    router.post("/v1/serviceAccounts").handler(this::create);
    router.get("/v1/serviceAccounts/:email").handler(this::get);
    router.delete("/v1/serviceAccounts/:email").handler(this::delete);
    router.post("/v1/serviceAccounts/:nameAndVerb").handler(this::custom);
  }

  private void list(RoutingContext rc) {
    String project = rc.queryParams().get("project");
    Requests.blocking(vertx, rc, () -> {
      JsonArray out = new JsonArray();
      directory.listServiceAccounts().stream()
          .filter(sa -> project == null || sa.project().equals(project))
          .forEach(sa -> out.add(DirectoryJson.serviceAccount(sa)));
      return new JsonObject().put("serviceAccounts", out);
    }, 200);
  }

  private void get(RoutingContext rc) {
    String email = rc.pathParam("email");
    Requests.blocking(vertx, rc, () -> {
      Emails.whyInvalid(email).ifPresent(why -> {
        throw new ValidationException("email", "'" + email + "' is not an email address: it " + why);
      });
      return DirectoryJson.serviceAccount(directory.serviceAccount(email).orElseThrow(() -> notFound(email)));
    }, 200);
  }

  private void create(RoutingContext rc) {
    JsonObject body = Requests.body(rc, false, CREATE_EXAMPLE);
    if (body == null) {
      return;
    }
    Requests.blocking(vertx, rc, () -> {
      List<FieldError> errors = DirectoryJson.errors();
      DirectoryJson.unknownFields(body, DirectoryJson.ACCOUNT_CREATE_FIELDS, errors);
      Optional<String> accountId = DirectoryJson.string(body, "accountId", errors);
      Optional<String> project = DirectoryJson.string(body, "project", errors);
      Optional<String> displayName = DirectoryJson.string(body, "displayName", errors);
      Optional<String> description = DirectoryJson.string(body, "description", errors);
      Directory.newServiceAccountErrors(accountId.orElse(null), project.orElse(Service.DEFAULT_PROJECT), displayName,
          description).stream().filter(e -> errors.stream().noneMatch(f -> f.field().equals(e.field())))
          .forEach(errors::add);
      DirectoryJson.throwIfAny(errors);
      return DirectoryJson.serviceAccount(directory.createServiceAccount(accountId.orElse(null),
          project.orElse(Service.DEFAULT_PROJECT), displayName, description));
    }, 201);
  }

  private void delete(RoutingContext rc) {
    String email = rc.pathParam("email");
    Requests.blocking(vertx, rc, () -> DirectoryJson.serviceAccount(
        directory.deleteServiceAccount(email, Requests.etag(rc, new JsonObject()))), 200);
  }

  /** POST /v1/serviceAccounts/EMAIL:VERB. An email never holds ':', so the last one separates the method. */
  private void custom(RoutingContext rc) {
    String nameAndVerb = rc.pathParam("nameAndVerb");
    int colon = nameAndVerb.lastIndexOf(':');
    String verb = colon < 0 ? "" : nameAndVerb.substring(colon + 1);
    String email = colon < 0 ? nameAndVerb : nameAndVerb.substring(0, colon);
    if (!verb.equals("disable") && !verb.equals("enable")) {
      ApiError.send(rc, 404, "NOT_FOUND", "no such admin endpoint: POST " + rc.request().path()
          + "; the methods on a service account are POST /v1/serviceAccounts/EMAIL:disable and :enable");
      return;
    }
    JsonObject body = Requests.body(rc, true, "{\"etag\": \"v2\"} or no body");
    if (body == null) {
      return;
    }
    Requests.blocking(vertx, rc, () -> {
      List<FieldError> errors = DirectoryJson.errors();
      DirectoryJson.unknownFields(body, DirectoryJson.ETAG_ONLY, errors);
      DirectoryJson.throwIfAny(errors);
      return DirectoryJson.serviceAccount(
          directory.setServiceAccountDisabled(email, verb.equals("disable"), Requests.etag(rc, body)));
    }, 200);
  }

  private static NotFoundException notFound(String email) {
    return new NotFoundException("service account " + email + " does not exist; service accounts are named "
        + "ACCOUNT_ID@PROJECT" + ServiceAccountName.DOMAIN_SUFFIX);
  }
}
