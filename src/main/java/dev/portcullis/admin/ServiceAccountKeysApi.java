package dev.portcullis.admin;

import dev.portcullis.authn.workload.KeyFile;
import dev.portcullis.authn.workload.ServiceAccountKey;
import dev.portcullis.authn.workload.ServiceAccountKeys;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * /v1/serviceAccounts/EMAIL/keys: a service account's keys. Creating one answers, once, with the key file
 * holding its private key; Portcullis keeps only the public key. Listing shows public keys. Deleting a key
 * refuses every JWT it signed from the next request on. Creating and deleting change the account
 * ({@code portcullis.serviceAccounts.update}); listing reads it ({@code .get}).
 */
final class ServiceAccountKeysApi {
  private final Vertx vertx;
  private final ServiceAccountKeys keys;
  private final String audienceHint;

  /** @param audienceHint what the key file says to put in {@code aud}, e.g. https://SERVICE.example.com/* */
  ServiceAccountKeysApi(Vertx vertx, ServiceAccountKeys keys, String audienceHint) {
    this.vertx = vertx;
    this.keys = keys;
    this.audienceHint = audienceHint;
  }

  void mount(Router router) {
    router.get("/v1/serviceAccounts/:email/keys").handler(this::list);
    router.post("/v1/serviceAccounts/:email/keys").handler(this::create);
    router.delete("/v1/serviceAccounts/:email/keys/:keyId").handler(this::delete);
  }

  private void list(RoutingContext rc) {
    String email = rc.pathParam("email");
    Requests.blocking(vertx, rc, () -> {
      JsonArray out = new JsonArray();
      keys.list(email).forEach(k -> out.add(json(k)));
      return new JsonObject().put("keys", out);
    }, 200);
  }

  private void create(RoutingContext rc) {
    String email = rc.pathParam("email");
    JsonObject body = Requests.body(rc, true, "no body, or {}");
    if (body == null) {
      return;
    }
    Requests.blocking(vertx, rc, () -> {
      var errors = DirectoryJson.errors();
      DirectoryJson.unknownFields(body, java.util.Set.of(), errors);
      DirectoryJson.throwIfAny(errors);
      KeyFile file = keys.create(email);
      return new JsonObject()
          .put("name", name(file.clientEmail(), file.keyId()))
          .put("keyId", file.keyId())
          .put("keyAlgorithm", "KEY_ALG_RSA_2048")
          .put("createTime", file.createTime().toString())
          .put("keyFile", file.toJson(audienceHint));
    }, 201);
  }

  private void delete(RoutingContext rc) {
    String email = rc.pathParam("email");
    String keyId = rc.pathParam("keyId");
    Requests.blocking(vertx, rc, () -> {
      keys.delete(email, keyId);
      return new JsonObject();
    }, 200);
  }

  private static JsonObject json(ServiceAccountKey k) {
    return new JsonObject()
        .put("name", name(k.accountEmail(), k.keyId()))
        .put("keyId", k.keyId())
        .put("keyAlgorithm", "KEY_ALG_RSA_2048")
        .put("createTime", k.createTime().toString())
        .put("publicKey", new JsonObject(k.publicKey().toJSONString()));
  }

  private static String name(String email, String keyId) {
    return "serviceAccounts/" + email + "/keys/" + keyId;
  }
}
