package dev.portcullis.admin;

import dev.portcullis.authn.DisabledUsers;
import dev.portcullis.authn.Emails;
import dev.portcullis.authn.User;
import dev.portcullis.authn.local.LocalAccounts;
import dev.portcullis.service.ValidationException;
import dev.portcullis.session.Sessions;
import dev.portcullis.store.ConflictException;
import dev.portcullis.store.NotFoundException;
import dev.portcullis.store.UserRepository;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * /v1/users: every user (built-in accounts and identities first seen through a provider), and the
 * built-in accounts' custom methods in Google's style, POST /v1/users/EMAIL:disable, :enable and
 * :resetPassword. Disabling an account or resetting its password ends all its sessions before the
 * answer, so its very next request is refused.
 */
final class UsersApi {
  static final String TURNED_OFF = "built-in accounts are turned off on this server (auth.local.enabled is false); "
      + "people sign in through an identity provider instead";
  private static final String CREATE_EXAMPLE = "{\"email\": \"ana@example.com\", \"displayName\": \"Ana\"}";

  private final Vertx vertx;
  private final UserRepository users;
  private final Optional<LocalAccounts> accounts;
  private final Sessions sessions;
  private final Clock clock;
  private final DisabledUsers disabled;

  UsersApi(Vertx vertx, UserRepository users, Optional<LocalAccounts> accounts, Sessions sessions,
      DisabledUsers disabled, Clock clock) {
    this.vertx = vertx;
    this.disabled = disabled;
    this.users = users;
    this.accounts = accounts;
    this.sessions = sessions;
    this.clock = clock;
  }

  void mount(Router router) {
    router.get("/v1/users").handler(this::list);
    router.post("/v1/users").handler(this::create);
    router.post("/v1/users/:nameAndVerb").handler(this::custom);
  }

  private void list(RoutingContext rc) {
    Requests.blocking(vertx, rc, () -> {
      JsonArray out = new JsonArray();
      users.list().forEach(u -> out.add(UserJson.toJson(u, clock.instant())));
      return new JsonObject().put("users", out);
    }, 200);
  }

  private void create(RoutingContext rc) {
    if (accounts.isEmpty()) {
      turnedOff(rc);
      return;
    }
    JsonObject body = Requests.body(rc, false, CREATE_EXAMPLE);
    if (body == null) {
      return;
    }
    UserJson.Create request;
    try {
      request = UserJson.fromCreate(body);
    } catch (ValidationException e) {
      AdminServer.fail(rc, e);
      return;
    }
    Optional<String> generated = request.password().isPresent()
        ? Optional.empty() : Optional.of(LocalAccounts.generatePassword());
    String password = request.password().or(() -> generated).orElseThrow();
    vertx.executeBlocking(() -> accounts.get().create(request.email(), request.displayName(), password), false)
        .onComplete(ar -> {
          if (ar.failed() && ar.cause() instanceof ConflictException c) {
            ApiError.send(rc, 409, "ALREADY_EXISTS", c.getMessage());
          } else if (ar.failed()) {
            AdminServer.fail(rc, ar.cause());
          } else {
            Requests.send(rc, 201, UserJson.withGeneratedPassword(UserJson.toJson(ar.result(), clock.instant()), generated));
          }
        });
  }

  /** POST /v1/users/EMAIL:VERB. An email never holds ':', so the last one separates the method. */
  private void custom(RoutingContext rc) {
    String nameAndVerb = rc.pathParam("nameAndVerb");
    int colon = nameAndVerb.lastIndexOf(':');
    String verb = colon < 0 ? "" : nameAndVerb.substring(colon + 1);
    String raw = colon < 0 ? nameAndVerb : nameAndVerb.substring(0, colon);
    if (!verb.equals("disable") && !verb.equals("enable") && !verb.equals("resetPassword")) {
      ApiError.send(rc, 404, "NOT_FOUND", "no such admin endpoint: POST " + rc.request().path()
          + "; the methods on a user are POST /v1/users/EMAIL:disable, :enable and :resetPassword");
      return;
    }
    Optional<String> email = Emails.normalize(raw);
    if (email.isEmpty()) {
      AdminServer.fail(rc, new ValidationException("email",
          "'" + raw + "' is not an email address; the path is /v1/users/EMAIL:" + verb));
      return;
    }
    switch (verb) {
      case "disable" -> setDisabled(rc, email.get(), true);
      case "enable" -> setDisabled(rc, email.get(), false);
      default -> resetPassword(rc, email.get());
    }
  }

  /**
   * Disables or enables every account with this email: the built-in one and those from identity
   * providers. Disabling takes effect on the next request: the in-memory list of disabled users is
   * renewed, then the users' sessions are ended.
   */
  private void setDisabled(RoutingContext rc, String email, boolean disabled) {
    Requests.blocking(vertx, rc, () -> {
      List<User> matching = users.findByEmail(email);
      if (matching.isEmpty()) {
        throw new NotFoundException("no user with email " + email);
      }
      List<User> changed = new ArrayList<>();
      for (User u : matching) {
        changed.add(users.setDisabled(u.id(), disabled));
      }
      this.disabled.refresh();
      if (disabled) {
        changed.forEach(u -> sessions.revokeUser(u.id()));
      }
      User shown = changed.stream().filter(u -> u.kind() == User.Kind.LOCAL).findFirst().orElse(changed.get(0));
      return UserJson.toJson(shown, clock.instant());
    }, 200);
  }

  private void resetPassword(RoutingContext rc, String email) {
    if (accounts.isEmpty()) {
      turnedOff(rc);
      return;
    }
    JsonObject body = Requests.body(rc, true, "{\"password\": \"...\"} or no body");
    if (body == null) {
      return;
    }
    Optional<String> given;
    try {
      given = UserJson.fromReset(body);
    } catch (ValidationException e) {
      AdminServer.fail(rc, e);
      return;
    }
    Optional<String> generated = given.isPresent() ? Optional.empty() : Optional.of(LocalAccounts.generatePassword());
    String password = given.or(() -> generated).orElseThrow();
    Requests.blocking(vertx, rc, () -> {
      local(email);
      User u = accounts.get().resetPassword(email, password);
      sessions.revokeUser(u.id());
      return UserJson.withGeneratedPassword(UserJson.toJson(u, clock.instant()), generated);
    }, 200);
  }

  private User local(String email) {
    return users.findLocal(email).orElseThrow(() -> new NotFoundException("no built-in account for " + email
        + "; accounts from an identity provider are disabled there, and their sessions revoked with "
        + "DELETE /v1/sessions/ID"));
  }

  private static void turnedOff(RoutingContext rc) {
    ApiError.send(rc, 400, "FAILED_PRECONDITION", TURNED_OFF);
  }

}
