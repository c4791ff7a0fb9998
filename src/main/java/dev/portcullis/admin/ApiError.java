package dev.portcullis.admin;

import dev.portcullis.service.FieldError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** Error bodies in the shape Google APIs use: {"error": {"code", "status", "message", "details"}}. */
final class ApiError {
  private ApiError() {}

  static void send(RoutingContext rc, int code, String status, String message) {
    send(rc, code, status, message, List.of());
  }

  static void send(RoutingContext rc, int code, String status, String message, List<FieldError> fields) {
    send(rc, code, status, message, fields, List.of());
  }

  /** With further details after the field violations, e.g. a google.rpc.ErrorInfo. */
  static void send(RoutingContext rc, int code, String status, String message, List<FieldError> fields,
      List<JsonObject> moreDetails) {
    JsonObject error = new JsonObject().put("code", code).put("status", status).put("message", message);
    JsonArray details = new JsonArray();
    if (!fields.isEmpty()) {
      JsonArray violations = new JsonArray();
      fields.forEach(f -> violations.add(new JsonObject().put("field", f.field()).put("description", f.message())));
      details.add(new JsonObject()
          .put("@type", "type.googleapis.com/google.rpc.BadRequest")
          .put("fieldViolations", violations));
    }
    moreDetails.forEach(details::add);
    if (!details.isEmpty()) {
      error.put("details", details);
    }
    if (!rc.response().ended()) {
      rc.response().setStatusCode(code)
          .putHeader("content-type", "application/json")
          .putHeader("cache-control", "no-store")
          .end(new JsonObject().put("error", error).encodePrettily());
    }
  }
}
