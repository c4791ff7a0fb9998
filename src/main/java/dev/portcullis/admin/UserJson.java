package dev.portcullis.admin;

import dev.portcullis.authn.Emails;
import dev.portcullis.authn.User;
import dev.portcullis.authn.local.LocalAccounts;
import dev.portcullis.service.FieldError;
import dev.portcullis.service.ValidationException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Users as the admin API shows them, and the bodies that create a built-in account or reset its password.
 * The password hash is never written out: the only password that ever appears is one Portcullis has
 * just generated, once, in the answer to the request that made it.
 */
final class UserJson {
  static final int MAX_DISPLAY_NAME = 200;
  private static final Set<String> CREATE_FIELDS = Set.of("email", "displayName", "password");
  private static final Set<String> RESET_FIELDS = Set.of("password");

  /** A create request, checked field by field: every bad field is named in one answer. */
  record Create(String email, Optional<String> displayName, Optional<String> password) {}

  private UserJson() {}

  static JsonObject toJson(User u, Instant now) {
    JsonObject o = new JsonObject()
        .put("email", u.email())
        .put("kind", u.kind().name().toLowerCase(Locale.ROOT))
        .put("provider", u.provider())
        .put("subject", u.subject());
    u.displayName().ifPresent(n -> o.put("displayName", n));
    o.put("disabled", u.disabled());
    boolean locked = u.lockedUntil().isAfter(now);
    o.put("locked", locked);
    if (locked) {
      o.put("lockedUntil", u.lockedUntil().toString());
    }
    o.put("createTime", u.createTime().toString());
    u.lastSignIn().ifPresent(t -> o.put("lastSignIn", t.toString()));
    return o;
  }

  /** The user, with the password that was generated for it when there is one. */
  static JsonObject withGeneratedPassword(JsonObject user, Optional<String> generated) {
    generated.ifPresent(p -> user.put("password", p));
    return user;
  }

  static Create fromCreate(JsonObject body) {
    List<FieldError> errors = new ArrayList<>();
    unknownFields(body, CREATE_FIELDS, errors);
    String email = null;
    Object rawEmail = body.getValue("email");
    if (rawEmail == null) {
      errors.add(new FieldError("email", "is required, e.g. \"ana@example.com\""));
    } else if (!(rawEmail instanceof String s)) {
      errors.add(new FieldError("email", "must be a string such as \"ana@example.com\""));
    } else {
      email = Emails.normalize(s).orElse(null);
      if (email == null) {
        errors.add(new FieldError("email", "'" + s + "' is not an email address; use one like ana@example.com"));
      }
    }
    Optional<String> displayName = Optional.empty();
    if (body.getValue("displayName") != null) {
      if (!(body.getValue("displayName") instanceof String s)) {
        errors.add(new FieldError("displayName", "must be a string"));
      } else if (s.isBlank()) {
        errors.add(new FieldError("displayName", "must not be blank; leave it out for no display name"));
      } else if (s.length() > MAX_DISPLAY_NAME) {
        errors.add(new FieldError("displayName", "must be at most " + MAX_DISPLAY_NAME + " characters long"));
      } else if (s.chars().anyMatch(Character::isISOControl)) {
        errors.add(new FieldError("displayName", "must not contain control characters"));
      } else {
        displayName = Optional.of(s.strip());
      }
    }
    Optional<String> password = password(body, errors);
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return new Create(email, displayName, password);
  }

  /** The new password of a reset request; empty when Portcullis is to generate one. */
  static Optional<String> fromReset(JsonObject body) {
    List<FieldError> errors = new ArrayList<>();
    unknownFields(body, RESET_FIELDS, errors);
    Optional<String> password = password(body, errors);
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return password;
  }

  private static Optional<String> password(JsonObject body, List<FieldError> errors) {
    Object v = body.getValue("password");
    if (v == null) {
      return Optional.empty();
    }
    if (!(v instanceof String s)) {
      errors.add(new FieldError("password", "must be a string; leave it out to have one generated"));
      return Optional.empty();
    }
    if (s.length() < LocalAccounts.MIN_PASSWORD_LENGTH) {
      errors.add(new FieldError("password", "must be at least " + LocalAccounts.MIN_PASSWORD_LENGTH
          + " characters long; leave it out to have one generated"));
      return Optional.empty();
    }
    return Optional.of(s);
  }

  private static void unknownFields(JsonObject body, Set<String> known, List<FieldError> errors) {
    for (String f : body.fieldNames()) {
      if (!known.contains(f)) {
        errors.add(new FieldError(f, "unknown field; the fields are " + String.join(", ", new TreeSet<>(known))));
      }
    }
  }
}
