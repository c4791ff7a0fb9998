package dev.portcullis.admin;

import dev.portcullis.assertion.SigningKeys;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.authn.User;
import dev.portcullis.authn.workload.ServiceAccountKeys;
import dev.portcullis.iam.Iam;
import dev.portcullis.iam.PolicyJson;
import dev.portcullis.iam.Principal;
import dev.portcullis.iam.ResourceName;
import dev.portcullis.iam.condition.AccessLevels;
import dev.portcullis.service.ServiceRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audits every change made through the admin API: who made it, what it was, and the changed resource as
 * it was before and after.
 *
 * <p>Mounted after authentication and {@link AdminAccess}, before the endpoints. For a write it reads the
 * target's current state (off the event loop), lets the endpoint run, and once the answer is sent with a
 * 2xx status reads the state again and enqueues one {@link AuditEvent#admin admin event}. Both states are
 * read through the same view, so the event's {@code change} names exactly the fields that moved. The views
 * never hold secrets: a generated password or a new private key is in the answer to the caller only.
 *
 * <p>A refused or failed write records nothing here (nothing changed). Reads are not audited.
 */
final class AdminChanges {
  private static final Logger log = LoggerFactory.getLogger(AdminChanges.class);
  /** Where a write's answer is kept so creates can name what they created. */
  static final String RESULT = "portcullis.admin.result";
  private static final String BEFORE = "portcullis.admin.before";

  private static final Pattern POLICY = Pattern.compile("^/v1/(.+):setIamPolicy$");

  private final Vertx vertx;
  private final AuditSink sink;
  private final Readers readers;

  /** What the readers look at. */
  record Readers(Iam iam, ServiceRegistry registry, String scheme, IntSupplier gatewayPort,
      dev.portcullis.directory.Directory directory, ServiceAccountKeys keys,
      dev.portcullis.store.UserRepository users, dev.portcullis.session.Sessions sessions, AccessLevels accessLevels,
      SigningKeys signingKeys, Clock clock) {}

  /**
   * One audited write: the action, the resource it changes (null until a create has answered), the service
   * it concerns if any, and how to read the resource.
   */
  private record Target(String action, String resource, String service, Reader reader, String createdField) {}

  @FunctionalInterface
  private interface Reader {
    /** The resource's state as JSON, or null when it does not exist. */
    JsonObject read(String resource);
  }

  AdminChanges(Vertx vertx, AuditSink sink, Readers readers) {
    this.vertx = vertx;
    this.sink = sink;
    this.readers = readers;
  }

  /** Writes that change nothing: answered without an audit event. */
  private static final Pattern NO_CHANGE = Pattern.compile(
      "^/v1/(.+:getIamPolicy|.+:testIamPermissions|iam:troubleshoot|conditions:validate)$");

  void handle(RoutingContext rc) {
    HttpMethod method = rc.request().method();
    boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS;
    Target target;
    try {
      target = read ? null : target(method, rc.request().path());
    } catch (RuntimeException e) {
      target = null;
    }
    if (target == null) {
      if (read || NO_CHANGE.matcher(rc.request().path()).matches()) {
        rc.next();
        return;
      }
      // Deny on doubt: a write this table does not know could not be audited.
      ApiError.send(rc, 404, "NOT_FOUND", "no such admin endpoint: " + method + " " + rc.request().path());
      return;
    }
    Target t = target;
    // The body handler before this has read the whole body already: nothing to hold back.
    vertx.executeBlocking(() -> t.resource() == null ? null : t.reader().read(t.resource()), false).onComplete(ar -> {
      if (ar.failed()) {
        log.error("reading the state before an admin change failed; refusing the change", ar.cause());
        ApiError.send(rc, 503, "UNAVAILABLE", "the store could not be read, so the change could not be audited; "
            + "nothing was changed, try again");
        return;
      }
      JsonObject before = ar.result();
      rc.addBodyEndHandler(v -> recordAfter(rc, t, before));
      rc.next();
    });
  }

  private void recordAfter(RoutingContext rc, Target t, JsonObject before) {
    int status = rc.response().getStatusCode();
    if (status < 200 || status > 299) {
      return;
    }
    String resource = t.resource();
    if (resource == null) {
      JsonObject result = rc.get(RESULT);
      String id = result == null ? null : result.getString(t.createdField());
      if (id == null) {
        log.error("admin change {} answered without naming what it created; auditing without its state", t.action());
        record(rc, t, "unknown", null, result == null ? null : new JsonObject());
        return;
      }
      resource = id.contains("/") ? id : collection(t) + "/" + id;
    }
    String r = resource;
    vertx.executeBlocking(() -> t.reader().read(r), false).onComplete(ar -> {
      JsonObject after = ar.succeeded() ? ar.result() : null;
      if (ar.failed()) {
        log.error("reading the state after admin change {} on {} failed; auditing without it", t.action(), r,
            ar.cause());
        // Not to be read as a deletion.
        after = new JsonObject().put("unavailable", "the state after the change could not be read");
      }
      record(rc, t, r, before, after);
    });
  }

  private static String collection(Target t) {
    String noun = t.action().substring(0, t.action().indexOf('.'));
    return switch (noun) {
      case "service" -> "services";
      case "group" -> "groups";
      case "serviceAccount" -> "serviceAccounts";
      case "user" -> "users";
      case "accessLevel" -> "accessLevels";
      default -> noun;
    };
  }

  private void record(RoutingContext rc, Target t, String resource, JsonObject before, JsonObject after) {
    AdminCaller caller = AdminCaller.of(rc);
    String ip = rc.request().remoteAddress() == null ? null : rc.request().remoteAddress().hostAddress();
    String service = t.service();
    if (service == null && resource.startsWith("services/")) {
      service = resource.substring("services/".length());
    }
    sink.record(AuditEvent.admin(readers.clock().instant(), rc.request().getHeader("x-request-id"), who(caller), ip,
        t.action(), resource, service, before, after));
  }

  static AuditEvent.Principal who(AdminCaller caller) {
    if (caller.breakGlass()) {
      return new AuditEvent.Principal(null, "bootstrap admin token", "admin-token", "breakGlass");
    }
    Principal p = caller.principal().orElseThrow();
    String kind = p.kind() == Principal.Kind.SERVICE_ACCOUNT ? "serviceAccount" : "user";
    return new AuditEvent.Principal(p.email(), p.memberKey(), "admin-api", kind);
  }

  /** The audited write a request is, or null for a read. */
  private Target target(HttpMethod method, String rawPath) {
    List<String> seg = segments(rawPath);
    String path = "/" + String.join("/", seg);
    Matcher policy = POLICY.matcher(path);
    if (method == HttpMethod.POST && policy.matches()) {
      Optional<ResourceName> r = ResourceName.tryParse(policy.group(1));
      if (r.isEmpty()) {
        return null;
      }
      ResourceName name = r.get();
      String service = name.toString().contains("/services/")
          ? name.toString().substring(name.toString().lastIndexOf('/') + 1) : null;
      return new Target("policy.set", name.toString(), service, x -> policy(name), null);
    }
    if (seg.size() < 2 || !seg.get(0).equals("v1")) {
      return null;
    }
    String coll = seg.get(1);
    int n = seg.size();
    switch (coll) {
      case "services" -> {
        Reader reader = this::service;
        if (n == 2 && method == HttpMethod.POST) {
          return new Target("service.create", null, null, reader, "name");
        }
        if (n == 3) {
          return method == HttpMethod.PATCH ? new Target("service.update", "services/" + seg.get(2), null, reader, null)
              : method == HttpMethod.DELETE ? new Target("service.delete", "services/" + seg.get(2), null, reader, null)
              : null;
        }
        return null;
      }
      case "groups" -> {
        Reader reader = this::group;
        if (n == 2 && method == HttpMethod.POST) {
          return new Target("group.create", null, null, reader, "email");
        }
        String g = n >= 3 ? "groups/" + seg.get(2) : null;
        if (n == 3) {
          return method == HttpMethod.PATCH ? new Target("group.update", g, null, reader, null)
              : method == HttpMethod.DELETE ? new Target("group.delete", g, null, reader, null) : null;
        }
        if (n == 4 && seg.get(3).equals("members") && method == HttpMethod.POST) {
          return new Target("group.member.add", g, null, reader, null);
        }
        if (n == 5 && seg.get(3).equals("members") && method == HttpMethod.DELETE) {
          return new Target("group.member.remove", g, null, reader, null);
        }
        return null;
      }
      case "serviceAccounts" -> {
        Reader reader = this::serviceAccount;
        if (n == 2 && method == HttpMethod.POST) {
          return new Target("serviceAccount.create", null, null, reader, "email");
        }
        if (n == 3 && method == HttpMethod.DELETE) {
          return new Target("serviceAccount.delete", "serviceAccounts/" + seg.get(2), null, reader, null);
        }
        if (n == 3 && method == HttpMethod.POST) {
          String[] nv = verb(seg.get(2));
          return nv == null ? null
              : new Target("serviceAccount." + nv[1], "serviceAccounts/" + nv[0], null, reader, null);
        }
        if (n == 4 && seg.get(3).equals("keys") && method == HttpMethod.POST) {
          return new Target("serviceAccount.key.create", "serviceAccounts/" + seg.get(2), null, reader, null);
        }
        if (n == 5 && seg.get(3).equals("keys") && method == HttpMethod.DELETE) {
          return new Target("serviceAccount.key.delete", "serviceAccounts/" + seg.get(2), null, reader, null);
        }
        return null;
      }
      case "users" -> {
        Reader reader = this::user;
        if (n == 2 && method == HttpMethod.POST) {
          return new Target("user.create", null, null, reader, "email");
        }
        if (n == 3 && method == HttpMethod.POST) {
          String[] nv = verb(seg.get(2));
          return nv == null ? null : new Target("user." + nv[1], "users/"
              + dev.portcullis.authn.Emails.normalize(nv[0]).orElse(nv[0].toLowerCase(java.util.Locale.ROOT)), null,
              reader, null);
        }
        return null;
      }
      case "sessions" -> {
        return n == 3 && method == HttpMethod.DELETE
            ? new Target("session.revoke", "sessions/" + seg.get(2), null, this::session, null) : null;
      }
      case "accessLevels" -> {
        Reader reader = this::accessLevel;
        if (n == 2 && method == HttpMethod.POST) {
          return new Target("accessLevel.create", null, null, reader, "name");
        }
        if (n == 3) {
          return method == HttpMethod.PATCH
              ? new Target("accessLevel.update", "accessLevels/" + seg.get(2), null, reader, null)
              : method == HttpMethod.DELETE
              ? new Target("accessLevel.delete", "accessLevels/" + seg.get(2), null, reader, null) : null;
        }
        return null;
      }
      case "customRoles" -> {
        Reader reader = this::role;
        if (n == 2 && method == HttpMethod.POST) {
          return new Target("role.create", null, null, reader, "name");
        }
        if (n == 3) {
          return method == HttpMethod.PATCH ? new Target("role.update", "customRoles/" + seg.get(2), null, reader, null)
              : method == HttpMethod.DELETE ? new Target("role.delete", "customRoles/" + seg.get(2), null, reader, null)
              : null;
        }
        return null;
      }
      case "keys:rotate" -> {
        return n == 2 && method == HttpMethod.POST ? new Target("keys.rotate", "keys", null, x -> keys(), null) : null;
      }
      default -> {
        return null;
      }
    }
  }

  /** "NAME:verb" split in two; null without a verb. */
  private static String[] verb(String nameAndVerb) {
    int colon = nameAndVerb.lastIndexOf(':');
    return colon <= 0 ? null : new String[] {nameAndVerb.substring(0, colon), nameAndVerb.substring(colon + 1)};
  }

  private static List<String> segments(String path) {
    return java.util.Arrays.stream(path.split("/"))
        .filter(s -> !s.isEmpty())
        .map(s -> URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8))
        .toList();
  }

  private static String id(String resource) {
    return resource.substring(resource.indexOf('/') + 1);
  }

  private JsonObject policy(ResourceName name) {
    return PolicyJson.toJson(readers.iam().getPolicy(name));
  }

  private JsonObject service(String resource) {
    return readers.registry().catalog().byName(id(resource))
        .map(s -> ServiceJson.toJson(s, readers.registry().catalog(), readers.scheme(),
            readers.gatewayPort().getAsInt()))
        .orElse(null);
  }

  private JsonObject group(String resource) {
    String email = id(resource);
    return readers.directory().group(email).map(g -> {
      JsonArray members = new JsonArray();
      readers.directory().members(email, false).forEach(m -> members.add(m.member()));
      return DirectoryJson.group(g, readers.directory().snapshot()).put("members", members);
    }).orElse(null);
  }

  private JsonObject serviceAccount(String resource) {
    String email = id(resource);
    return readers.directory().serviceAccount(email).map(sa -> {
      JsonArray keyIds = new JsonArray();
      readers.keys().list(email).forEach(k -> keyIds.add(k.keyId()));
      return DirectoryJson.serviceAccount(sa).put("keys", keyIds);
    }).orElse(null);
  }

  private JsonObject user(String resource) {
    List<User> matching = readers.users().findByEmail(id(resource));
    if (matching.isEmpty()) {
      return null;
    }
    User shown = matching.stream().filter(u -> u.kind() == User.Kind.LOCAL).findFirst().orElse(matching.get(0));
    return UserJson.toJson(shown, readers.clock().instant());
  }

  private JsonObject session(String resource) {
    String id = id(resource);
    return readers.sessions().list(Optional.empty()).stream()
        .filter(s -> s.publicId().equals(id))
        .findFirst().map(SessionJson::toJson).orElse(null);
  }

  private JsonObject accessLevel(String resource) {
    try {
      return readers.accessLevels().get(id(resource)).map(AccessLevelJson::toJson).orElse(null);
    } catch (dev.portcullis.service.ValidationException e) {
      return null; // not a valid name: the endpoint answers 400 and nothing changes
    }
  }

  private JsonObject role(String resource) {
    String name = resource.startsWith(Iam.CUSTOM_ROLE_PREFIX) ? resource : Iam.CUSTOM_ROLE_PREFIX + id(resource);
    return readers.iam().roles().stream().filter(r -> r.name().equals(name)).findFirst()
        .map(IamApi::roleJson).orElse(null);
  }

  private JsonObject keys() {
    JsonArray out = new JsonArray();
    readers.signingKeys().list().forEach(k -> out.add(new JsonObject().put("kid", k.kid())
        .put("state", k.state().wireName())));
    return new JsonObject().put("keys", out);
  }
}
