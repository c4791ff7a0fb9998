package dev.portcullis.iam;

import dev.portcullis.iam.condition.ConditionException;
import dev.portcullis.iam.condition.Conditions;
import dev.portcullis.service.FieldError;
import dev.portcullis.service.ValidationException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Policies to and from Google's JSON shape. Reading validates everything and names each bad field
 * ({@code bindings[2].members[0]}), so a policy is stored whole or not at all.
 */
public final class PolicyJson {
  /** Google allows 1,500 members in a policy; so does Portcullis. */
  static final int MAX_MEMBERS = 1500;
  static final int MAX_TITLE = 100;
  static final int MAX_DESCRIPTION = 256;

  private PolicyJson() {}

  public static JsonObject toJson(Policy p) {
    JsonObject out = new JsonObject().put("version", p.version()).put("etag", p.etag());
    out.put("bindings", bindingsJson(p.bindings()));
    return out;
  }

  public static JsonArray bindingsJson(List<Binding> bindings) {
    JsonArray arr = new JsonArray();
    for (Binding b : bindings) {
      JsonObject o = new JsonObject().put("role", b.role());
      JsonArray members = new JsonArray();
      b.members().forEach(m -> members.add(m.key()));
      o.put("members", members);
      b.condition().ifPresent(c -> {
        JsonObject cj = new JsonObject().put("title", c.title());
        if (c.description() != null && !c.description().isEmpty()) {
          cj.put("description", c.description());
        }
        cj.put("expression", c.expression());
        o.put("condition", cj);
      });
      arr.add(o);
    }
    return arr;
  }

  /**
   * Reads and validates bindings: roles must exist, members must parse, conditions must compile.
   * Bindings with the same role and condition are merged and duplicate members dropped, as Google does.
   */
  public static List<Binding> readBindings(Object raw, String field, Predicate<String> roleExists) {
    return readBindings(raw, field, roleExists, m -> Optional.empty());
  }

  /** As above; {@code memberProblem} says why a well-formed member cannot be granted (e.g. no such group). */
  public static List<Binding> readBindings(Object raw, String field, Predicate<String> roleExists,
      java.util.function.Function<Member, Optional<String>> memberProblem) {
    List<FieldError> errors = new ArrayList<>();
    if (raw == null) {
      return List.of();
    }
    if (!(raw instanceof JsonArray arr)) {
      throw new ValidationException(field, "must be a list of bindings");
    }
    Map<String, Binding> merged = new LinkedHashMap<>();
    int memberCount = 0;
    for (int i = 0; i < arr.size(); i++) {
      String bf = field + "[" + i + "]";
      if (!(arr.getValue(i) instanceof JsonObject b)) {
        errors.add(new FieldError(bf, "must be an object with role, members and an optional condition"));
        continue;
      }
      for (String key : b.fieldNames()) {
        if (!Set.of("role", "members", "condition").contains(key)) {
          errors.add(new FieldError(bf + "." + key, "unknown field; a binding has role, members and condition"));
        }
      }
      Object roleValue = b.getValue("role");
      String role = roleValue instanceof String s ? s : null;
      if (role == null || role.isEmpty()) {
        errors.add(new FieldError(bf + ".role", "a role is required, such as " + PredefinedRoles.ACCESSOR));
      } else if (!roleExists.test(role)) {
        errors.add(new FieldError(bf + ".role", "role '" + Member.printable(role) + "' does not exist; "
            + "list the roles with 'portcullis roles list'"));
      }
      List<Member> members = new ArrayList<>();
      Object mv = b.getValue("members");
      if (!(mv instanceof JsonArray ma) || ma.isEmpty()) {
        errors.add(new FieldError(bf + ".members", "at least one member is required"));
      } else {
        for (int j = 0; j < ma.size(); j++) {
          String mf = bf + ".members[" + j + "]";
          if (!(ma.getValue(j) instanceof String ms)) {
            errors.add(new FieldError(mf, "must be a string such as user:ana@example.com"));
            continue;
          }
          try {
            Member parsed = Member.parse(ms);
            Optional<String> problem = memberProblem.apply(parsed);
            if (problem.isPresent()) {
              errors.add(new FieldError(mf, problem.get()));
            } else {
              members.add(parsed);
            }
          } catch (IllegalArgumentException e) {
            errors.add(new FieldError(mf, e.getMessage()));
          }
        }
      }
      Optional<Condition> condition = Optional.empty();
      Object cv = b.getValue("condition");
      if (cv != null) {
        condition = readCondition(cv, bf + ".condition", errors);
      }
      if (role == null) {
        continue;
      }
      String mergeKey = role + "\u0000" + condition.map(c -> c.title() + "\u0000" + c.expression()).orElse("");
      Binding prior = merged.get(mergeKey);
      Set<Member> all = new LinkedHashSet<>(prior == null ? List.of() : prior.members());
      all.addAll(members);
      memberCount += all.size() - (prior == null ? 0 : prior.members().size());
      merged.put(mergeKey, new Binding(role, List.copyOf(all), condition));
    }
    if (memberCount > MAX_MEMBERS) {
      errors.add(new FieldError(field, "a policy holds at most " + MAX_MEMBERS + " members; use groups"));
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return List.copyOf(merged.values());
  }

  private static Optional<Condition> readCondition(Object cv, String cf, List<FieldError> errors) {
    if (!(cv instanceof JsonObject c)) {
      errors.add(new FieldError(cf, "must be an object with title, description and expression"));
      return Optional.empty();
    }
    for (String key : c.fieldNames()) {
      if (!Set.of("title", "description", "expression", "location").contains(key)) {
        errors.add(new FieldError(cf + "." + key, "unknown field; a condition has title, description and expression"));
      }
    }
    String title = c.getValue("title") instanceof String t ? t.strip() : null;
    String description = c.getValue("description") instanceof String d ? d : "";
    String expression = c.getValue("expression") instanceof String e ? e : null;
    boolean ok = true;
    if (title == null || title.isEmpty()) {
      errors.add(new FieldError(cf + ".title", "a condition needs a title (it names the condition in decisions)"));
      ok = false;
    } else if (title.length() > MAX_TITLE) {
      errors.add(new FieldError(cf + ".title", "at most " + MAX_TITLE + " characters"));
      ok = false;
    }
    if (description.length() > MAX_DESCRIPTION) {
      errors.add(new FieldError(cf + ".description", "at most " + MAX_DESCRIPTION + " characters"));
      ok = false;
    }
    if (expression == null || expression.isBlank()) {
      errors.add(new FieldError(cf + ".expression", "a CEL expression is required, such as "
          + "request.path.startsWith(\"/reports/\")"));
      return Optional.empty();
    }
    try {
      Conditions.compile(expression);
    } catch (ConditionException e) {
      errors.add(new FieldError(cf + ".expression", e.getMessage()));
      ok = false;
    }
    return ok ? Optional.of(new Condition(title, description, expression)) : Optional.empty();
  }
}
