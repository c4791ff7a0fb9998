package dev.portcullis.gateway;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.authn.DisabledUsers;
import dev.portcullis.iam.Authorizer;
import dev.portcullis.iam.Decision;
import dev.portcullis.iam.Permissions;
import dev.portcullis.iam.Principal;
import dev.portcullis.iam.RequestFacts;
import dev.portcullis.iam.ResourceName;
import dev.portcullis.service.Service;
import dev.portcullis.service.ServiceCatalog;
import dev.portcullis.session.Session;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every open WebSocket and streaming response on a service with IAP on, with who holds it, so that a
 * change can end the ones no longer allowed: Google IAP and its peers decide only when a connection
 * opens, and a person removed from a group would keep a dashboard's live feed for hours.
 *
 * <p>{@link #recheck()} decides every open connection again on the current snapshots (IAM, groups,
 * access levels, disabled users, the service's settings) and closes those now refused: a WebSocket with
 * close code {@value #CLOSE_CODE}, a stream by ending it. It runs after every change that could refuse
 * someone, and on a timer for what changes by itself (a condition's time window, a session's age).
 * {@link #sessionsRevoked} ends the connections of revoked sessions (sign-out, admin revocation, a
 * disabled user); a connection opened with a service account's JWT ends when the key that signed it is
 * deleted. Each close is an audit event. Deciding costs well under a microsecond per connection,
 * so a recheck of 10 000 connections stays far below 100 ms; only refused connections are touched.
 */
public final class LiveConnections {
  private static final Logger log = LoggerFactory.getLogger(LiveConnections.class);
  /** The WebSocket close code for "no longer allowed" (4000-4999 are the application's). */
  public static final short CLOSE_CODE = 4403;

  /** How a connection is ended; runs on the connection's own event loop. */
  @FunctionalInterface
  interface Closer {
    void close(String reason);
  }

  /**
   * Who holds a connection and what it asked for.
   *
   * @param principal who IAM decided on; empty for an anonymous caller let in by {@code allUsers}
   * @param session the session it came with; null for bearer and anonymous callers
   * @param kind {@code websocket} or {@code stream}
   * @param iap whether it was opened through the IAP gate; one opened while IAP was off is closed once IAP
   *     is switched on, since nobody decided on it
   * @param notAfter when the bearer token it came with expires; null without one
   * @param keyId the service-account key that signed the bearer token it came with; null otherwise
   */
  record Holder(String service, Optional<Principal> principal, Session session, String host, String path,
      String method, String clientIp, String userAgent, String requestId, String kind, boolean iap,
      Instant notAfter, String keyId) {}

  /**
   * What a request may be watched with, should it become a WebSocket or a streamed response: the
   * registry, the gateway's facts about the request, its caller (null: anonymous) and whether the IAP gate
   * let it through. Who holds the connection is only worked out when one opens.
   */
  record Watch(LiveConnections live, Exchange exchange, Caller caller, boolean gated) {
    Connection open(HttpServerRequest req, String service, String kind, Context context, Closer closer) {
      return live.open(new Holder(service, caller == null ? Optional.empty() : Optional.of(caller.principal()),
          caller == null ? null : caller.session(), exchange.host(), req.path(), req.method().name(),
          exchange.clientIp(), req.getHeader("user-agent"), exchange.requestId(), kind, gated,
          caller == null ? null : caller.notAfter(), caller == null ? null : caller.keyId()), context, closer);
    }
  }

  /** One open connection. */
  final class Connection {
    final Holder holder;
    private final Context context;
    private final Closer closer;
    private final AtomicBoolean ended = new AtomicBoolean();

    private Connection(Holder holder, Context context, Closer closer) {
      this.holder = holder;
      this.context = context;
      this.closer = closer;
    }

    /** The connection ended by itself: forget it. */
    void ended() {
      if (ended.compareAndSet(false, true)) {
        open.remove(this);
      }
    }

    private void end(String reason) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      open.remove(this);
      audit(this, reason);
      context.runOnContext(v -> {
        try {
          closer.close(reason);
        } catch (RuntimeException e) {
          log.warn("closing a {} to {} failed: {}", holder.kind(), holder.service(), e.toString());
        }
      });
    }
  }

  private final Set<Connection> open = ConcurrentHashMap.newKeySet();
  private final Authorizer authorizer;
  private final Supplier<ServiceCatalog> catalog;
  private final DisabledUsers disabled;
  private final AuditSink audit;
  private final Clock clock;
  private final java.util.function.Predicate<String> revokedSession;
  private final java.util.function.Predicate<String> keyExists;

  /** Without sessions or service-account keys to consult (no session is revoked, every key exists). */
  public LiveConnections(Authorizer authorizer, Supplier<ServiceCatalog> catalog, DisabledUsers disabled,
      AuditSink audit, Clock clock) {
    this(authorizer, catalog, disabled, audit, clock, idHash -> false, keyId -> true);
  }

  /**
   * As above; {@code revokedSession} says whether a session (by id hash) was revoked lately, and
   * {@code keyExists} whether a service-account key (by id) still exists.
   */
  public LiveConnections(Authorizer authorizer, Supplier<ServiceCatalog> catalog, DisabledUsers disabled,
      AuditSink audit, Clock clock, java.util.function.Predicate<String> revokedSession,
      java.util.function.Predicate<String> keyExists) {
    this.revokedSession = revokedSession;
    this.keyExists = keyExists;
    this.authorizer = authorizer;
    this.catalog = catalog;
    this.disabled = disabled;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * Registers an open connection; call {@link Connection#ended()} when it ends by itself. It is decided
   * again at once: between the gate's decision and the upstream's answer a change may have refused it, and
   * that change's recheck did not see it yet.
   */
  Connection open(Holder holder, Context context, Closer closer) {
    Connection c = new Connection(holder, context, closer);
    open.add(c);
    String why;
    try {
      why = refusal(holder, catalog.get(), clock.instant());
    } catch (RuntimeException e) {
      why = "it could not be decided again";
    }
    if (why != null) {
      c.end(why);
    }
    return c;
  }

  /** The id hashes of the sessions that hold open connections. */
  public java.util.Set<String> sessionHashes() {
    java.util.Set<String> hashes = new java.util.HashSet<>();
    for (Connection c : open) {
      if (c.holder.session() != null) {
        hashes.add(c.holder.session().idHash());
      }
    }
    return hashes;
  }

  /** How many connections are open. */
  public int size() {
    return open.size();
  }

  /** Decides every open connection again and ends those now refused; returns how many were ended. */
  public int recheck() {
    if (open.isEmpty()) {
      return 0;
    }
    Instant now = clock.instant();
    ServiceCatalog services = catalog.get();
    int ended = 0;
    for (Connection c : open) {
      String why;
      try {
        why = refusal(c.holder, services, now);
      } catch (RuntimeException e) {
        log.error("re-deciding a live connection to {} failed; closing it", c.holder.service(), e);
        why = "it could not be decided again";
      }
      if (why != null) {
        c.end(why);
        ended++;
      }
    }
    if (ended > 0) {
      log.info("closed {} live connection(s) no longer allowed", ended);
    }
    return ended;
  }

  /** Ends the connections that came with any of these sessions (by id hash): sign-out or revocation. */
  public int sessionsRevoked(Collection<String> idHashes) {
    if (open.isEmpty() || idHashes.isEmpty()) {
      return 0;
    }
    Set<String> revoked = Set.copyOf(idHashes);
    int ended = 0;
    for (Connection c : open) {
      Session s = c.holder.session();
      if (s != null && (revoked.contains(s.idHash()) || (s.parentHash() != null && revoked.contains(s.parentHash())))) {
        c.end("the session was signed out or revoked");
        ended++;
      }
    }
    return ended;
  }

  /** Why a connection would be refused now; null while it is still allowed. */
  String refusal(Holder h, ServiceCatalog services, Instant now) {
    Optional<Service> current = services.byName(h.service());
    if (current.isEmpty()) {
      return "the service was deleted";
    }
    Service service = current.get();
    if (!service.iap()) {
      return null; // IAP off: the service is open to whoever reaches it
    }
    if (!h.iap()) {
      return "the service now requires sign-in (IAP was switched on)";
    }
    Session s = h.session();
    if (s != null) {
      if (revokedSession.test(s.idHash()) || revokedSession.test(s.parentHash())) {
        return "the session was signed out or revoked";
      }
      if (!now.isBefore(s.expireTime())) {
        return "the session reached its maximum age";
      }
      if (service.reauthMaxAge().map(age -> !now.isBefore(s.authTime().plus(age))).orElse(false)) {
        return "the service asks to sign in again";
      }
      if (disabled.contains(s.identity().userId())) {
        return "the user was disabled";
      }
    }
    if (h.notAfter() != null && !now.isBefore(h.notAfter())) {
      return "the bearer token it was opened with expired";
    }
    if (h.keyId() != null && !keyExists.test(h.keyId())) {
      return "the service account key that signed its token was deleted";
    }
    if (h.principal().isPresent() && h.principal().get().kind() == Principal.Kind.USER
        && disabled.containsEmail(h.principal().get().email())) {
      return "the user was disabled";
    }
    Decision d = authorizer.decide(h.principal(), ResourceName.service(service.project(), service.name()),
        Permissions.ACCESS, new RequestFacts(h.host(), h.path(), h.method(), now, h.clientIp()));
    return d.allowed() ? null : "access was revoked: " + d.reason();
  }

  private void audit(Connection c, String reason) {
    Holder h = c.holder;
    AuditEvent.Principal who = h.session() != null ? DecisionAudit.who(h.session().identity())
        : h.principal().map(DecisionAudit::who).orElse(AuditEvent.Principal.ANONYMOUS);
    audit.record(new AuditEvent(clock.instant(), AuditEvent.Kind.DECISION, h.requestId(), who, h.clientIp(),
        h.userAgent(), h.service(), h.method(), h.host(), h.path(), AuditEvent.Outcome.DENY,
        "open " + h.kind() + " closed: " + reason, null, "connection.close", null, null, null));
  }
}
