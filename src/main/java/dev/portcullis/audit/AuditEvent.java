package dev.portcullis.audit;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * One audited fact: a gateway decision on a service with IAP on, or an admin change.
 *
 * <p>Fields that do not apply to the kind are null and left out of the JSON. {@link #toJson()} writes
 * the fields always in the same order, so the same event always encodes to the same bytes: the hash
 * chain is computed over that encoding.
 *
 * @param time when the decision was taken or the change committed
 * @param kind {@link Kind#DECISION} or {@link Kind#ADMIN}
 * @param requestId the gateway's request id (decisions), or the admin API request id if any
 * @param principal who asked (decisions) or who made the change (admin)
 * @param clientIp the client address as the gateway trusts it
 * @param userAgent the client's User-Agent
 * @param service the service name (decisions, and admin changes to a service)
 * @param method the HTTP method
 * @param host the request host
 * @param path the request path; the query string only when configured
 * @param decision ALLOW, DENY or ERROR (decisions only)
 * @param reason the granting binding, or why the request was refused
 * @param latencyMicros time from request start to decision
 * @param action admin only: what was changed, e.g. {@code policy.set}, {@code group.member.add}
 * @param target admin only: the resource changed, e.g. {@code services/dash}
 * @param before admin only: the resource before the change (null when created)
 * @param after admin only: the resource after the change (null when deleted)
 */
public record AuditEvent(
    Instant time,
    Kind kind,
    String requestId,
    Principal principal,
    String clientIp,
    String userAgent,
    String service,
    String method,
    String host,
    String path,
    Outcome decision,
    String reason,
    Long latencyMicros,
    String action,
    String target,
    JsonObject before,
    JsonObject after) {

  public enum Kind { DECISION, ADMIN }

  public enum Outcome { ALLOW, DENY, ERROR }

  /** Who: email, subject, identity provider, and principal kind (user, serviceAccount, anonymous...). */
  public record Principal(String email, String subject, String provider, String kind) {
    public static final Principal ANONYMOUS = new Principal(null, null, null, "anonymous");

    JsonObject toJson() {
      JsonObject o = new JsonObject();
      put(o, "email", email);
      put(o, "subject", subject);
      put(o, "provider", provider);
      put(o, "kind", kind);
      return o;
    }

    static Principal fromJson(JsonObject o) {
      return o == null ? null
          : new Principal(o.getString("email"), o.getString("subject"), o.getString("provider"), o.getString("kind"));
    }

    /** The break-glass caller's member name in the store, for queries. */
    public static final String BREAK_GLASS_MEMBER = "breakGlass:admin-token";

    /**
     * The member name IAM would match, e.g. {@code user:ann@example.com}; {@value #BREAK_GLASS_MEMBER}
     * for the bootstrap admin token; null when anonymous.
     */
    public String member() {
      if ("breakGlass".equals(kind)) {
        return BREAK_GLASS_MEMBER;
      }
      if (email == null || kind == null || kind.equals("anonymous")) {
        return null;
      }
      return kind + ":" + email;
    }
  }

  public AuditEvent {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(kind, "kind");
  }

  public static AuditEvent decision(Instant time, String requestId, Principal principal, String clientIp,
      String userAgent, String service, String method, String host, String path, Outcome decision,
      String reason, long latencyMicros) {
    return new AuditEvent(time, Kind.DECISION, requestId, principal, clientIp, userAgent, service, method, host,
        path, Objects.requireNonNull(decision, "decision"), reason, latencyMicros, null, null, null, null);
  }

  public static AuditEvent admin(Instant time, String requestId, Principal who, String clientIp, String action,
      String target, String service, JsonObject before, JsonObject after) {
    return new AuditEvent(time, Kind.ADMIN, requestId, who, clientIp, null, service, null, null, null, null,
        null, null, Objects.requireNonNull(action, "action"), target, before, after);
  }

  /**
   * The top-level fields whose value differs between before and after, each as
   * {@code {"before": x, "after": y}}; a missing side is null. Empty for decisions.
   */
  public JsonObject change() {
    JsonObject diff = new JsonObject();
    if (kind != Kind.ADMIN) {
      return diff;
    }
    JsonObject b = before == null ? new JsonObject() : before;
    JsonObject a = after == null ? new JsonObject() : after;
    Set<String> keys = new LinkedHashSet<>(b.fieldNames());
    keys.addAll(a.fieldNames());
    for (String k : keys) {
      Object bv = b.getValue(k);
      Object av = a.getValue(k);
      if (!Objects.equals(bv, av)) {
        diff.put(k, new JsonObject().put("before", bv).put("after", av));
      }
    }
    return diff;
  }

  /** The event's JSON, fields in a fixed order, nulls left out. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.put("time", time.toString());
    o.put("kind", kind.name().toLowerCase(java.util.Locale.ROOT));
    put(o, "requestId", requestId);
    if (principal != null) {
      o.put("principal", principal.toJson());
    }
    put(o, "clientIp", clientIp);
    put(o, "userAgent", userAgent);
    put(o, "service", service);
    put(o, "method", method);
    put(o, "host", host);
    put(o, "path", path);
    if (decision != null) {
      o.put("decision", decision.name().toLowerCase(java.util.Locale.ROOT));
    }
    put(o, "reason", reason);
    if (latencyMicros != null) {
      o.put("latencyMicros", latencyMicros);
    }
    put(o, "action", action);
    put(o, "target", target);
    if (kind == Kind.ADMIN) {
      if (before != null) {
        o.put("before", before);
      }
      if (after != null) {
        o.put("after", after);
      }
      o.put("change", change());
    }
    return o;
  }

  /**
   * Appends the event's fields to an open JSON object, each as {@code ,"name":value}, in the order and
   * with the values of {@link #toJson()}, without building a JsonObject: this is what the writer seals,
   * once per event.
   */
  void appendFields(Json out) {
    out.ascii(",\"time\":\"").instant(time).raw('"');
    out.ascii(kind == Kind.DECISION ? ",\"kind\":\"decision\"" : ",\"kind\":\"admin\"");
    field(out, ",\"requestId\":", requestId);
    if (principal != null) {
      out.ascii(",\"principal\":{");
      int mark = out.size();
      field(out, ",\"email\":", principal.email());
      field(out, ",\"subject\":", principal.subject());
      field(out, ",\"provider\":", principal.provider());
      field(out, ",\"kind\":", principal.kind());
      if (out.size() > mark) {
        // the first field's comma goes: shift what follows it back by one
        byte[] b = out.buffer();
        System.arraycopy(b, mark + 1, b, mark, out.size() - mark - 1);
        out.cut(1);
      }
      out.raw('}');
    }
    field(out, ",\"clientIp\":", clientIp);
    field(out, ",\"userAgent\":", userAgent);
    field(out, ",\"service\":", service);
    field(out, ",\"method\":", method);
    field(out, ",\"host\":", host);
    field(out, ",\"path\":", path);
    if (decision != null) {
      out.ascii(switch (decision) {
        case ALLOW -> ",\"decision\":\"allow\"";
        case DENY -> ",\"decision\":\"deny\"";
        case ERROR -> ",\"decision\":\"error\"";
      });
    }
    field(out, ",\"reason\":", reason);
    if (latencyMicros != null) {
      out.ascii(",\"latencyMicros\":").number(latencyMicros);
    }
    field(out, ",\"action\":", action);
    field(out, ",\"target\":", target);
    if (kind == Kind.ADMIN) {
      if (before != null) {
        out.ascii(",\"before\":").json(before.encode());
      }
      if (after != null) {
        out.ascii(",\"after\":").json(after.encode());
      }
      out.ascii(",\"change\":").json(change().encode());
    }
  }

  private static void field(Json out, String nameAndColon, String value) {
    if (value != null) {
      out.ascii(nameAndColon).string(value);
    }
  }

  /** Reads an event back from its JSON (extra fields such as seq, prev and hash are ignored). */
  public static AuditEvent fromJson(JsonObject o) {
    Long latency = o.getLong("latencyMicros");
    String decision = o.getString("decision");
    return new AuditEvent(
        Instant.parse(o.getString("time")),
        Kind.valueOf(o.getString("kind").toUpperCase(java.util.Locale.ROOT)),
        o.getString("requestId"),
        Principal.fromJson(o.getJsonObject("principal")),
        o.getString("clientIp"),
        o.getString("userAgent"),
        o.getString("service"),
        o.getString("method"),
        o.getString("host"),
        o.getString("path"),
        decision == null ? null : Outcome.valueOf(decision.toUpperCase(java.util.Locale.ROOT)),
        o.getString("reason"),
        latency,
        o.getString("action"),
        o.getString("target"),
        o.getJsonObject("before"),
        o.getJsonObject("after"));
  }

  private static void put(JsonObject o, String name, String value) {
    if (value != null) {
      o.put(name, value);
    }
  }
}
