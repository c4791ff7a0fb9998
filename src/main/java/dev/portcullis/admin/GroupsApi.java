package dev.portcullis.admin;

import dev.portcullis.authn.Emails;
import dev.portcullis.directory.Directory;
import dev.portcullis.directory.Group;
import dev.portcullis.directory.MemberName;
import dev.portcullis.service.FieldError;
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
 * /v1/groups and their members. A group is named by its email in the path; members are member strings
 * ({@code user:EMAIL}, {@code serviceAccount:EMAIL}, {@code group:EMAIL}). Writes take an etag (If-Match or
 * an "etag" field; the group's etag moves with its members too) and answer after the directory snapshot the
 * decision engine reads has been rebuilt: a member removed is out on the very next request.
 */
final class GroupsApi {
  private static final String CREATE_EXAMPLE = "{\"email\": \"eng@example.com\", \"displayName\": \"Engineering\"}";
  private static final String MEMBER_EXAMPLE = "{\"member\": \"user:ana@example.com\"}";

  private final Vertx vertx;
  private final Directory directory;

  GroupsApi(Vertx vertx, Directory directory) {
    this.vertx = vertx;
    this.directory = directory;
  }

  void mount(Router router) {
    router.get("/v1/groups").handler(this::list);
    router.post("/v1/groups").handler(this::create);
    router.get("/v1/groups/:email").handler(this::get);
    router.patch("/v1/groups/:email").handler(this::update);
    router.delete("/v1/groups/:email").handler(this::delete);
    router.get("/v1/groups/:email/members").handler(this::members);
    router.post("/v1/groups/:email/members").handler(this::addMember);
    router.delete("/v1/groups/:email/members/:member").handler(this::removeMember);
  }

  private void list(RoutingContext rc) {
    Requests.blocking(vertx, rc, () -> {
      JsonArray out = new JsonArray();
      directory.listGroups().forEach(g -> out.add(json(g)));
      return new JsonObject().put("groups", out);
    }, 200);
  }

  private void get(RoutingContext rc) {
    String email = rc.pathParam("email");
    Requests.blocking(vertx, rc, () -> {
      Emails.whyInvalid(email).ifPresent(why -> {
        throw new ValidationException("email", "'" + email + "' is not an email address: it " + why);
      });
      return json(directory.group(email).orElseThrow(() -> notFound(email)));
    }, 200);
  }

  private void create(RoutingContext rc) {
    JsonObject body = Requests.body(rc, false, CREATE_EXAMPLE);
    if (body == null) {
      return;
    }
    Requests.blocking(vertx, rc, () -> {
      List<FieldError> errors = DirectoryJson.errors();
      DirectoryJson.unknownFields(body, DirectoryJson.GROUP_CREATE_FIELDS, errors);
      Optional<String> email = DirectoryJson.string(body, "email", errors);
      Optional<String> displayName = DirectoryJson.string(body, "displayName", errors);
      Optional<String> description = DirectoryJson.string(body, "description", errors);
      Directory.newGroupErrors(email.orElse(null), displayName, description).stream()
          .filter(e -> errors.stream().noneMatch(f -> f.field().equals(e.field())))
          .forEach(errors::add);
      DirectoryJson.throwIfAny(errors);
      return json(directory.createGroup(email.orElse(null), displayName, description));
    }, 201);
  }

  /** PATCH: the fields given change, the others stay; null clears a field. */
  private void update(RoutingContext rc) {
    JsonObject body = Requests.body(rc, false, "{\"displayName\": \"Engineering\"}");
    if (body == null) {
      return;
    }
    String email = rc.pathParam("email");
    Requests.blocking(vertx, rc, () -> {
      List<FieldError> errors = DirectoryJson.errors();
      DirectoryJson.unknownFields(body, DirectoryJson.GROUP_PATCH_FIELDS, errors);
      Optional<String> displayName = DirectoryJson.string(body, "displayName", errors);
      Optional<String> description = DirectoryJson.string(body, "description", errors);
      DirectoryJson.throwIfAny(errors);
      Optional<Long> expected = Requests.etag(rc, body);
      return json(directory.updateGroup(email, g -> new Group(g.email(),
          body.containsKey("displayName") ? displayName : g.displayName(),
          body.containsKey("description") ? description : g.description(),
          g.version(), g.createTime(), g.updateTime()), expected));
    }, 200);
  }

  private void delete(RoutingContext rc) {
    String email = rc.pathParam("email");
    Requests.blocking(vertx, rc, () -> json(directory.deleteGroup(email, Requests.etag(rc, new JsonObject()))), 200);
  }

  private void members(RoutingContext rc) {
    String email = rc.pathParam("email");
    String transitive = rc.queryParams().get("transitive");
    Requests.blocking(vertx, rc, () -> {
      if (transitive != null && !transitive.equals("true") && !transitive.equals("false")) {
        throw new ValidationException("transitive", "must be true or false");
      }
      JsonArray out = new JsonArray();
      directory.members(email, "true".equals(transitive)).forEach(m -> out.add(DirectoryJson.membership(m)));
      return new JsonObject().put("members", out);
    }, 200);
  }

  private void addMember(RoutingContext rc) {
    JsonObject body = Requests.body(rc, false, MEMBER_EXAMPLE);
    if (body == null) {
      return;
    }
    String email = rc.pathParam("email");
    Requests.blocking(vertx, rc, () -> {
      List<FieldError> errors = DirectoryJson.errors();
      DirectoryJson.unknownFields(body, DirectoryJson.MEMBER_FIELDS, errors);
      Object raw = body.getValue("member");
      if (raw == null) {
        errors.add(new FieldError("member", "is required, e.g. " + MEMBER_EXAMPLE));
      } else if (!(raw instanceof String)) {
        errors.add(new FieldError("member", "must be a string such as \"user:ana@example.com\""));
      }
      DirectoryJson.throwIfAny(errors);
      MemberName member = MemberName.parse("member", (String) raw);
      Group g = directory.addMember(email, member, Requests.etag(rc, body));
      return DirectoryJson.memberChange(g, member);
    }, 201);
  }

  private void removeMember(RoutingContext rc) {
    String email = rc.pathParam("email");
    String raw = rc.pathParam("member");
    Requests.blocking(vertx, rc, () -> {
      MemberName member = MemberName.parse("member", raw);
      Group g = directory.removeMember(email, member, Requests.etag(rc, new JsonObject()));
      return DirectoryJson.memberChange(g, member);
    }, 200);
  }

  private JsonObject json(Group g) {
    return DirectoryJson.group(g, directory.snapshot());
  }

  private static NotFoundException notFound(String email) {
    return new NotFoundException("group " + email + " does not exist");
  }
}
