package dev.portcullis.admin;

import dev.portcullis.config.Settings;
import dev.portcullis.service.Service;
import dev.portcullis.service.ServiceRegistry;
import dev.portcullis.store.ConflictException;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * /v1/services: list, create, get, update (PATCH with the fields to change), delete. Writes take an etag
 * (If-Match header or "etag" field) and are refused with 409 when it is stale. Store calls run on worker
 * threads; the answer is sent after the gateway's routes have been rebuilt.
 */
final class ServicesApi {
  private static final int MAX_UNGUARDED_ATTEMPTS = 5;

  private final Vertx vertx;
  private final ServiceRegistry registry;
  private final Settings settings;
  private final IntSupplier gatewayPort;

  ServicesApi(Vertx vertx, ServiceRegistry registry, Settings settings, IntSupplier gatewayPort) {
    this.vertx = vertx;
    this.registry = registry;
    this.settings = settings;
    this.gatewayPort = gatewayPort;
  }

  void mount(Router router) {
    router.get("/v1/services").handler(this::list);
    router.post("/v1/services").handler(this::create);
    router.get("/v1/services/:name").handler(this::get);
    router.patch("/v1/services/:name").handler(this::update);
    router.delete("/v1/services/:name").handler(this::delete);
  }

  private void list(RoutingContext rc) {
    Requests.blocking(vertx, rc, () -> {
      JsonArray out = new JsonArray();
      registry.list().forEach(s -> out.add(json(s)));
      return new JsonObject().put("services", out);
    }, 200);
  }

  private void get(RoutingContext rc) {
    String name = rc.pathParam("name");
    Requests.blocking(vertx, rc, () -> json(registry.get(name).orElseThrow(() -> notFound(name))), 200);
  }

  private void create(RoutingContext rc) {
    JsonObject body = body(rc);
    if (body == null) {
      return;
    }
    Requests.blocking(vertx, rc, () -> json(registry.create(ServiceJson.fromCreate(body))), 201);
  }

  private void update(RoutingContext rc) {
    JsonObject body = body(rc);
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
          return json(registry.patch(name, current -> ServiceJson.applyPatch(current, body), expected));
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
    Requests.blocking(vertx, rc, () -> json(registry.delete(name, expected)), 200);
  }


  private JsonObject json(Service s) {
    return ServiceJson.toJson(s, registry.catalog(), settings.scheme(), gatewayPort.getAsInt());
  }

  private static dev.portcullis.store.NotFoundException notFound(String name) {
    return new dev.portcullis.store.NotFoundException("service '" + name + "' does not exist");
  }

  private static JsonObject body(RoutingContext rc) {
    try {
      JsonObject body = rc.body().asJsonObject();
      if (body == null) {
        ApiError.send(rc, 400, "INVALID_ARGUMENT", "the request needs a JSON object body");
      }
      return body;
    } catch (DecodeException e) {
      ApiError.send(rc, 400, "INVALID_ARGUMENT", "the body is not valid JSON: " + e.getMessage());
      return null;
    } catch (ClassCastException e) {
      ApiError.send(rc, 400, "INVALID_ARGUMENT", "the body must be a JSON object such as "
          + "{\"name\": \"dash\", \"upstream\": \"http://127.0.0.1:8501\"}, not an array or a single value");
      return null;
    }
  }
}
