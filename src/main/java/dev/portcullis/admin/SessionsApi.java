package dev.portcullis.admin;

import dev.portcullis.authn.Emails;
import dev.portcullis.service.ValidationException;
import dev.portcullis.session.Sessions;
import dev.portcullis.store.NotFoundException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * /v1/sessions: the live sessions, all or one user's, and revocation. A sign-in is a central session on
 * the sign-in host plus one per service host; revoking any of them ends them all, before the answer.
 */
final class SessionsApi {
  private final Vertx vertx;
  private final Sessions sessions;

  SessionsApi(Vertx vertx, Sessions sessions) {
    this.vertx = vertx;
    this.sessions = sessions;
  }

  void mount(Router router) {
    router.get("/v1/sessions").handler(this::list);
    router.delete("/v1/sessions/:id").handler(this::revoke);
  }

  private void list(RoutingContext rc) {
    String user = rc.queryParams().get("user");
    Optional<String> email = Optional.empty();
    if (user != null) {
      email = Emails.normalize(user);
      if (email.isEmpty()) {
        AdminServer.fail(rc, new ValidationException("user", "'" + user + "' is not an email address"));
        return;
      }
    }
    Optional<String> filter = email;
    Requests.blocking(vertx, rc, () -> {
      JsonArray out = new JsonArray();
      sessions.list(filter).forEach(s -> out.add(SessionJson.toJson(s)));
      return new JsonObject().put("sessions", out);
    }, 200);
  }

  private void revoke(RoutingContext rc) {
    String id = rc.pathParam("id");
    Requests.blocking(vertx, rc, () -> sessions.revokeByPublicId(id)
        .map(SessionJson::toJson)
        .orElseThrow(() -> new NotFoundException("no session with id '" + id + "'; list them with GET /v1/sessions")),
        200);
  }
}
