package dev.portcullis.admin;

import dev.portcullis.service.Etags;
import dev.portcullis.service.ValidationException;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * What the user, session and directory endpoints share: reading a JSON object body and an expected etag,
 * and store work off the event loop.
 */
final class Requests {
  private Requests() {}

  /**
   * The body as a JSON object; null after answering 400 when it is not one. An empty body reads as an
   * empty object when {@code emptyAllowed}, for methods whose fields are all optional.
   */
  static JsonObject body(RoutingContext rc, boolean emptyAllowed, String example) {
    if (emptyAllowed && (rc.body().buffer() == null || rc.body().buffer().toString().isBlank())) {
      return new JsonObject();
    }
    try {
      JsonObject body = rc.body().asJsonObject();
      if (body == null) {
        ApiError.send(rc, 400, "INVALID_ARGUMENT", "the request needs a JSON object body such as " + example);
      }
      return body;
    } catch (DecodeException e) {
      ApiError.send(rc, 400, "INVALID_ARGUMENT", "the body is not valid JSON: " + e.getMessage());
      return null;
    } catch (ClassCastException e) {
      ApiError.send(rc, 400, "INVALID_ARGUMENT", "the body must be a JSON object such as " + example
          + ", not an array or a single value");
      return null;
    }
  }

  /** Runs blocking work on a worker thread and answers with its JSON, or with the error it threw. */
  static void blocking(Vertx vertx, RoutingContext rc, Callable<JsonObject> work, int status) {
    vertx.executeBlocking(work, false).onComplete(ar -> {
      if (ar.succeeded()) {
        send(rc, status, ar.result());
      } else {
        AdminServer.fail(rc, ar.cause());
      }
    });
  }

  /** Answers with a JSON body, kept in the context too so the audit of a create can name what it made. */
  static void send(RoutingContext rc, int status, JsonObject body) {
    rc.put(AdminChanges.RESULT, body);
    rc.response().setStatusCode(status)
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store")
        .end(body.encodePrettily());
  }

  /**
   * The version a write expects, from an If-Match header or an "etag" body field; empty for none or "*".
   * A value this API never gave out is a {@link ValidationException} on "etag".
   */
  static Optional<Long> etag(RoutingContext rc, JsonObject body) {
    String header = rc.request().getHeader("if-match");
    Object field = body.getValue("etag");
    if (field != null && !(field instanceof String)) {
      throw new ValidationException("etag", "must be a string such as \"v3\", as returned by get");
    }
    String given = header != null ? header : (String) field;
    if (given == null || given.equals("*")) {
      return Optional.empty();
    }
    return Optional.of(Etags.version(given).orElseThrow(() ->
        new ValidationException("etag", "'" + given + "' is not an etag this API returned; read it again")));
  }

  /** As {@link #etag}, or null after answering 400 for an etag this API never gave out. */
  static Optional<Long> etagOr400(RoutingContext rc, JsonObject body) {
    try {
      return etag(rc, body);
    } catch (ValidationException e) {
      AdminServer.fail(rc, e);
      return null;
    }
  }
}
