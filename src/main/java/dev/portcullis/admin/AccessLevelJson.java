package dev.portcullis.admin;

import dev.portcullis.iam.condition.AccessLevel;
import dev.portcullis.service.Etags;
import dev.portcullis.service.FieldError;
import dev.portcullis.service.ValidationException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Access levels as the admin API writes and reads them. Unknown fields and wrong types are errors. A
 * level is either kind: setting ipSubnetworks on an expression level (or the reverse) in a PATCH switches
 * it, clearing the other field.
 */
final class AccessLevelJson {
  private static final Set<String> FIELDS = Set.of("name", "title", "description", "ipSubnetworks", "expression",
      "etag", "updateTime");

  private AccessLevelJson() {}

  static JsonObject toJson(AccessLevel l) {
    JsonObject out = new JsonObject()
        .put("name", l.name())
        .put("title", l.title())
        .put("description", l.description());
    if (l.expression() != null) {
      out.put("expression", l.expression());
    } else {
      out.put("ipSubnetworks", new JsonArray(l.ipSubnetworks()));
    }
    return out.put("etag", Etags.of(l.version())).put("updateTime", l.updateTime().toString());
  }

  /** A new level from a create request; the name may be given as NAME or accessLevels/NAME. */
  static AccessLevel fromCreate(JsonObject body) {
    List<FieldError> errors = new ArrayList<>();
    checkFields(body, errors);
    String name = string(body, "name", errors);
    if (name == null && !errors.stream().anyMatch(e -> e.field().equals("name"))) {
      errors.add(new FieldError("name", "is required, e.g. \"corp_network\""));
    }
    AccessLevel l = AccessLevel.of(name == null ? null : AccessLevel.fullName(name), string(body, "title", errors),
        string(body, "description", errors), list(body, errors), string(body, "expression", errors));
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return l;
  }

  /** The stored level with the fields present in the body changed; the name cannot change. */
  static AccessLevel applyPatch(AccessLevel current, JsonObject body) {
    List<FieldError> errors = new ArrayList<>();
    checkFields(body, errors);
    if (body.containsKey("name") && !(body.getValue("name") instanceof String n
        && AccessLevel.fullName(n).equals(current.name()))) {
      errors.add(new FieldError("name", "cannot be changed; create a level with the new name and delete this one"));
    }
    String title = body.containsKey("title") ? string(body, "title", errors) : current.title();
    String description = body.containsKey("description") ? string(body, "description", errors)
        : current.description();
    List<String> subnetworks = current.ipSubnetworks();
    String expression = current.expression();
    if (body.containsKey("ipSubnetworks")) {
      subnetworks = list(body, errors);
      if (!body.containsKey("expression") && !subnetworks.isEmpty()) {
        expression = null;
      }
    }
    if (body.containsKey("expression")) {
      expression = string(body, "expression", errors);
      if (!body.containsKey("ipSubnetworks") && expression != null) {
        subnetworks = List.of();
      }
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return new AccessLevel(current.name(), title, description, subnetworks, expression, current.version(),
        current.updateTime());
  }

  private static void checkFields(JsonObject body, List<FieldError> errors) {
    for (String f : body.fieldNames()) {
      if (!FIELDS.contains(f)) {
        errors.add(new FieldError(f, "unknown field; an access level has name, title, description, "
            + "ipSubnetworks, expression and etag"));
      }
    }
  }

  private static String string(JsonObject body, String field, List<FieldError> errors) {
    Object v = body.getValue(field);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    errors.add(new FieldError(field, "must be a string"));
    return null;
  }

  private static List<String> list(JsonObject body, List<FieldError> errors) {
    Object v = body.getValue("ipSubnetworks");
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonArray array)) {
      errors.add(new FieldError("ipSubnetworks", "must be an array of CIDR blocks such as [\"10.0.0.0/8\"]"));
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      if (array.getValue(i) instanceof String s) {
        out.add(s);
      } else {
        errors.add(new FieldError("ipSubnetworks[" + i + "]", "must be a string such as \"10.0.0.0/8\""));
      }
    }
    return out;
  }
}
