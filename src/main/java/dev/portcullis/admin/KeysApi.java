package dev.portcullis.admin;

import dev.portcullis.assertion.SigningKeys;
import dev.portcullis.assertion.SigningKeys.KeyInfo;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * /v1/keys: the assertion signing keys (public facts only: id, state, algorithm, times) and the custom
 * method POST /v1/keys:rotate. A rotation answers after this replica signs with the new current key;
 * the others pick it up within their refresh interval, meanwhile still signing with a key that stays
 * published.
 */
final class KeysApi {
  static final String ROTATE_PATH = "/v1/keys:rotate";

  private final Vertx vertx;
  private final SigningKeys keys;

  KeysApi(Vertx vertx, SigningKeys keys) {
    this.vertx = vertx;
    this.keys = keys;
  }

  void mount(Router router) {
    router.get("/v1/keys").handler(this::list);
    // A regex route: in a plain route path the ':' of Google's custom-method syntax would start a parameter.
    router.routeWithRegex(HttpMethod.POST, "^/v1/keys:rotate$").handler(this::rotate);
  }

  private void list(RoutingContext rc) {
    Requests.blocking(vertx, rc, () -> {
      keys.refresh();
      return json(keys.list());
    }, 200);
  }

  private void rotate(RoutingContext rc) {
    Requests.blocking(vertx, rc, () -> json(keys.rotate()), 200);
  }

  private static JsonObject json(List<KeyInfo> list) {
    JsonArray out = new JsonArray();
    for (KeyInfo k : list) {
      out.add(new JsonObject()
          .put("kid", k.kid())
          .put("state", k.state().wireName())
          .put("algorithm", k.algorithm())
          .put("createTime", k.createTime().toString())
          .put("stateTime", k.stateTime().toString()));
    }
    return new JsonObject().put("keys", out);
  }
}
