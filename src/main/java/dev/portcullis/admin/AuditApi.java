package dev.portcullis.admin;

import dev.portcullis.audit.AuditStore;
import dev.portcullis.config.Durations;
import dev.portcullis.service.FieldError;
import dev.portcullis.service.ValidationException;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GET /v1/audit/events: the audit log as stored, filtered by member, service, decision, kind and time.
 * Without {@code after}, the newest events first; with {@code after=CURSOR} (the {@code cursor} of an
 * earlier answer), only the events stored since, in each replica's chain order, which is how {@code audit
 * tail} follows (see {@link AuditStore.Cursor}).
 */
final class AuditApi {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  private static final Set<String> PARAMS = Set.of("member", "service", "decision", "kind", "since", "until",
      "limit", "after");
  private static final Pattern DAYS = Pattern.compile("(\\d{1,5})d");

  private final Vertx vertx;
  private final AuditStore store;
  private final Clock clock;

  AuditApi(Vertx vertx, AuditStore store, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.clock = clock;
  }

  void mount(Router router) {
    router.get("/v1/audit/events").handler(this::events);
  }

  private void events(RoutingContext rc) {
    AuditStore.Filter filter;
    try {
      filter = filter(rc.queryParams(), clock.instant());
    } catch (ValidationException e) {
      AdminServer.fail(rc, e);
      return;
    }
    Requests.blocking(vertx, rc, () -> {
      AuditStore.Page page = store.find(filter);
      JsonArray events = new JsonArray();
      for (AuditStore.Stored s : page.events()) {
        events.add(json(s));
      }
      return new JsonObject().put("events", events).put("cursor", page.cursor().encode());
    }, 200);
  }

  /** An event as the API shows it: the stored line with the replica whose chain holds it. */
  static JsonObject json(AuditStore.Stored s) {
    JsonObject line = new JsonObject(s.record().line());
    JsonObject out = new JsonObject().put("replica", s.replica());
    line.forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  static AuditStore.Filter filter(MultiMap q, Instant now) {
    List<FieldError> errors = new ArrayList<>();
    for (String name : q.names()) {
      if (!PARAMS.contains(name)) {
        errors.add(new FieldError(name, "is not a filter; use " + String.join(", ", PARAMS.stream().sorted().toList())));
      }
    }
    String member = q.get("member");
    if (member != null && !member.matches("(user|serviceAccount):[^\\s]+")
        && !member.equals(dev.portcullis.audit.AuditEvent.Principal.BREAK_GLASS_MEMBER)) {
      errors.add(new FieldError("member", "'" + member + "' is not a member: write user:EMAIL, serviceAccount:EMAIL, "
          + "or " + dev.portcullis.audit.AuditEvent.Principal.BREAK_GLASS_MEMBER + " for the bootstrap admin token"));
    }
    String decision = lower(q.get("decision"));
    if (decision != null && !Set.of("allow", "deny", "error").contains(decision)) {
      errors.add(new FieldError("decision", "must be allow, deny or error, not '" + q.get("decision") + "'"));
    }
    String kind = lower(q.get("kind"));
    if (kind != null && !Set.of("decision", "admin").contains(kind)) {
      errors.add(new FieldError("kind", "must be decision or admin, not '" + q.get("kind") + "'"));
    }
    Instant since = time("since", q.get("since"), now, errors);
    Instant until = time("until", q.get("until"), now, errors);
    int limit = DEFAULT_LIMIT;
    String rawLimit = q.get("limit");
    if (rawLimit != null) {
      try {
        limit = Integer.parseInt(rawLimit);
        if (limit < 1 || limit > MAX_LIMIT) {
          errors.add(new FieldError("limit", "must be between 1 and " + MAX_LIMIT));
        }
      } catch (NumberFormatException e) {
        errors.add(new FieldError("limit", "must be a whole number between 1 and " + MAX_LIMIT));
      }
    }
    AuditStore.Cursor after = null;
    String rawAfter = q.get("after");
    if (rawAfter != null) {
      Optional<AuditStore.Cursor> p = AuditStore.Cursor.parse(rawAfter);
      if (p.isEmpty()) {
        errors.add(new FieldError("after", "is not a cursor this API returned; pass the 'cursor' of an earlier answer"));
      } else {
        after = p.get();
      }
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    String memberKey = member == null || member.startsWith("breakGlass:") ? member
        : member.substring(0, member.indexOf(':') + 1) + member.substring(member.indexOf(':') + 1).toLowerCase(java.util.Locale.ROOT);
    return new AuditStore.Filter(memberKey, q.get("service"), decision, kind, since, until, limit, after);
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(java.util.Locale.ROOT);
  }

  /** An RFC 3339 time, or a duration back from now: 90s, 15m, 1h, 7d. */
  static Instant time(String field, String raw, Instant now, List<FieldError> errors) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    Matcher days = DAYS.matcher(raw);
    if (days.matches()) {
      return now.minus(Duration.ofDays(Long.parseLong(days.group(1))));
    }
    Optional<Duration> d = Durations.parse(raw);
    if (d.isPresent()) {
      return now.minus(d.get());
    }
    try {
      return OffsetDateTime.parse(raw).toInstant();
    } catch (DateTimeParseException e) {
      errors.add(new FieldError(field, "'" + raw + "' is neither a time such as 2026-11-23T10:00:00Z nor a "
          + "duration back from now such as 15m, 1h or 7d"));
      return null;
    }
  }
}
