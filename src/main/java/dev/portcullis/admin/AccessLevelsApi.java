package dev.portcullis.admin;

import dev.portcullis.iam.condition.AccessLevel;
import dev.portcullis.iam.condition.AccessLevels;
import dev.portcullis.iam.condition.ConditionException;
import dev.portcullis.iam.condition.Conditions;
import dev.portcullis.service.FieldError;
import dev.portcullis.service.ValidationException;
import dev.portcullis.store.AccessLevelRepository;
import dev.portcullis.store.ConflictException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;

/**
 * /v1/accessLevels: list, create, get, update (PATCH with the fields to change), delete, with etags as for
 * services; the path names a level without its accessLevels/ prefix. And POST /v1/conditions:validate,
 * which compiles an IAM condition expression and answers where it is wrong, for the console and the CLI.
 */
final class AccessLevelsApi {
  private static final String CREATE_EXAMPLE = "{\"name\": \"corp\", \"ipSubnetworks\": [\"10.0.0.0/8\"]}";
  private static final int MAX_UNGUARDED_ATTEMPTS = 5;

  private final Vertx vertx;
  private final AccessLevels levels;

  AccessLevelsApi(Vertx vertx, AccessLevels levels) {
    this.vertx = vertx;
    this.levels = levels;
  }

  void mount(Router router) {
    router.get("/v1/accessLevels").handler(this::list);
    router.post("/v1/accessLevels").handler(this::create);
    router.get("/v1/accessLevels/:name").handler(this::get);
    router.patch("/v1/accessLevels/:name").handler(this::update);
    router.delete("/v1/accessLevels/:name").handler(this::delete);
    // A regex route: in a plain path, Vert.x would read ":validate" as a path parameter.
    router.postWithRegex("/v1/conditions:validate").handler(this::validate);
  }

  private void list(RoutingContext rc) {
    Requests.blocking(vertx, rc, () -> {
      JsonArray out = new JsonArray();
      levels.list().forEach(l -> out.add(AccessLevelJson.toJson(l)));
      return new JsonObject().put("accessLevels", out);
    }, 200);
  }

  private void get(RoutingContext rc) {
    String name = AccessLevel.fullName(rc.pathParam("name"));
    Requests.blocking(vertx, rc, () -> AccessLevelJson.toJson(levels.get(name)
        .orElseThrow(() -> AccessLevelRepository.notFound(name))), 200);
  }

  private void create(RoutingContext rc) {
    JsonObject body = Requests.body(rc, false, CREATE_EXAMPLE);
    if (body == null) {
      return;
    }
    vertx.executeBlocking(() -> AccessLevelJson.toJson(levels.create(AccessLevelJson.fromCreate(body))), false)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            Requests.send(rc, 201, ar.result());
          } else if (ar.cause() instanceof ConflictException c) {
            ApiError.send(rc, 409, "ALREADY_EXISTS", c.getMessage());
          } else {
            AdminServer.fail(rc, ar.cause());
          }
        });
  }

  private void update(RoutingContext rc) {
    JsonObject body = Requests.body(rc, false, "{\"ipSubnetworks\": [\"10.0.0.0/8\"]}");
    if (body == null) {
      return;
    }
    String name = rc.pathParam("name");
    Optional<Long> expected = Requests.etagOr400(rc, body);
    if (expected == null) {
      return;
    }
    Requests.blocking(vertx, rc, () -> {
      // Writes on this process are serialized by the registry; a conflict without an etag can only come
      // from another replica's change in between, and is retried on the fresh version.
      for (int attempt = 1; ; attempt++) {
        try {
          return AccessLevelJson.toJson(levels.patch(name, current -> AccessLevelJson.applyPatch(current, body),
              expected));
        } catch (ConflictException e) {
          if (expected.isPresent() || attempt == MAX_UNGUARDED_ATTEMPTS) {
            throw e;
          }
        }
      }
    }, 200);
  }

  private void delete(RoutingContext rc) {
    String name = rc.pathParam("name");
    Optional<Long> expected = Requests.etagOr400(rc, new JsonObject());
    if (expected == null) {
      return;
    }
    Requests.blocking(vertx, rc, () -> AccessLevelJson.toJson(levels.delete(name, expected)), 200);
  }

  /** 200 {"valid": true}, or 400 naming the problem, with its line and column in an ErrorInfo detail. */
  private void validate(RoutingContext rc) {
    JsonObject body = Requests.body(rc, false, "{\"expression\": \"request.path.startsWith('/admin/')\"}");
    if (body == null) {
      return;
    }
    if (!(body.getValue("expression") instanceof String expression)) {
      AdminServer.fail(rc, new ValidationException("expression",
          "is required: a string holding the CEL expression to check"));
      return;
    }
    vertx.executeBlocking(() -> {
      try {
        Conditions.compile(expression);
        return Optional.<ConditionException>empty();
      } catch (ConditionException e) {
        return Optional.of(e);
      }
    }, false).onComplete(ar -> {
      if (ar.failed()) {
        AdminServer.fail(rc, ar.cause());
      } else if (ar.result().isEmpty()) {
        Requests.send(rc, 200, new JsonObject().put("valid", true));
      } else {
        ConditionException e = ar.result().get();
        JsonObject position = new JsonObject()
            .put("@type", "type.googleapis.com/google.rpc.ErrorInfo")
            .put("reason", "INVALID_EXPRESSION")
            .put("domain", "portcullis.dev")
            .put("metadata", new JsonObject()
                .put("line", String.valueOf(e.line()))
                .put("column", String.valueOf(e.column())));
        ApiError.send(rc, 400, "INVALID_ARGUMENT", e.getMessage(),
            List.of(new FieldError("expression", e.getMessage())), List.of(position));
      }
    });
  }


}
