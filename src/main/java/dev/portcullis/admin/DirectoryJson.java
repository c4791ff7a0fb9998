package dev.portcullis.admin;

import dev.portcullis.directory.DirectorySnapshot;
import dev.portcullis.directory.Group;
import dev.portcullis.directory.MemberName;
import dev.portcullis.directory.ServiceAccount;
import dev.portcullis.service.FieldError;
import dev.portcullis.service.ValidationException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Groups, memberships and service accounts as the admin API writes and reads them. Unknown fields are errors. */
final class DirectoryJson {
  static final Set<String> GROUP_CREATE_FIELDS = Set.of("email", "displayName", "description");
  static final Set<String> GROUP_PATCH_FIELDS = Set.of("displayName", "description", "etag");
  static final Set<String> MEMBER_FIELDS = Set.of("member", "etag");
  static final Set<String> ACCOUNT_CREATE_FIELDS = Set.of("accountId", "project", "displayName", "description");
  static final Set<String> ETAG_ONLY = Set.of("etag");

  private DirectoryJson() {}

  static JsonObject group(Group g, DirectorySnapshot snapshot) {
    JsonObject o = new JsonObject().put("email", g.email());
    g.displayName().ifPresent(n -> o.put("displayName", n));
    g.description().ifPresent(d -> o.put("description", d));
    return o.put("directMembersCount", snapshot.directMemberCount(g.email()))
        .put("etag", g.etag())
        .put("createTime", g.createTime().toString())
        .put("updateTime", g.updateTime().toString());
  }

  static JsonObject membership(DirectorySnapshot.Membership m) {
    JsonObject o = new JsonObject().put("member", m.member()).put("type", type(m.member())).put("direct", m.direct());
    if (!m.direct()) {
      o.put("via", new JsonArray(m.via()));
    }
    return o;
  }

  /** The answer to adding or removing a member: who, where, and the group's new etag. */
  static JsonObject memberChange(Group g, MemberName member) {
    return new JsonObject().put("group", g.email()).put("member", member.canonical())
        .put("type", member.kind().prefix()).put("etag", g.etag());
  }

  static JsonObject serviceAccount(ServiceAccount sa) {
    JsonObject o = new JsonObject()
        .put("name", sa.resourceName())
        .put("email", sa.email())
        .put("accountId", sa.accountId())
        .put("project", sa.project());
    sa.displayName().ifPresent(n -> o.put("displayName", n));
    sa.description().ifPresent(d -> o.put("description", d));
    return o.put("disabled", sa.disabled())
        .put("etag", sa.etag())
        .put("createTime", sa.createTime().toString())
        .put("updateTime", sa.updateTime().toString());
  }

  private static String type(String member) {
    return member.substring(0, member.indexOf(':'));
  }

  /** Every field not in {@code known} is an error that lists the known ones. */
  static void unknownFields(JsonObject body, Set<String> known, List<FieldError> errors) {
    for (String f : body.fieldNames()) {
      if (!known.contains(f)) {
        errors.add(new FieldError(f, "unknown field; the fields are " + String.join(", ", new TreeSet<>(known))));
      }
    }
  }

  /** A string field: empty when absent or null; a non-string is an error. */
  static Optional<String> string(JsonObject body, String field, List<FieldError> errors) {
    Object v = body.getValue(field);
    if (v == null) {
      return Optional.empty();
    }
    if (!(v instanceof String s)) {
      errors.add(new FieldError(field, "must be a string"));
      return Optional.empty();
    }
    return Optional.of(s);
  }

  static void throwIfAny(List<FieldError> errors) {
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
  }

  static List<FieldError> errors() {
    return new ArrayList<>();
  }
}
