package dev.portcullis.admin;

import dev.portcullis.session.Session;
import io.vertx.core.json.JsonObject;

/**
 * Sessions as the admin API shows them, named by their public id. The cookie's hash and the identity
 * provider's ID token stay inside: either would let a reader act as the user.
 */
final class SessionJson {
  private SessionJson() {}

  static JsonObject toJson(Session s) {
    JsonObject o = new JsonObject()
        .put("id", s.publicId())
        .put("user", s.identity().email())
        .put("provider", s.identity().provider())
        .put("host", s.host())
        .put("central", s.central())
        .put("createTime", s.createTime().toString())
        .put("lastSeen", s.lastSeen().toString())
        .put("expireTime", s.expireTime().toString());
    if (s.clientIp() != null) {
      o.put("clientIp", s.clientIp());
    }
    if (s.userAgent() != null) {
      o.put("userAgent", s.userAgent());
    }
    return o;
  }
}
