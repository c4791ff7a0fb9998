package dev.portcullis.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portcullis.authn.Identity;
import dev.portcullis.store.SessionRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * Session lifecycle. Lookups answer from memory; a cache miss is the one store read the request path may
 * make, and callers run it off the event loop. Revocation takes effect in this process before it returns.
 */
public final class Sessions {
  /** A new session and the cookie value that names it (never stored). */
  public record Created(String cookieValue, Session session) {}

  private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

  private final SessionRepository repository;
  private final Clock clock;
  private final Duration maxLifetime;
  private final Duration idleTimeout;
  private final Executor background;
  private final Cache<String, Session> cache = Caffeine.newBuilder().maximumSize(200_000).build();
  private final Cache<String, Boolean> unknown = Caffeine.newBuilder()
      .maximumSize(100_000).expireAfterWrite(Duration.ofSeconds(30)).build();

  public Sessions(SessionRepository repository, Clock clock, Duration maxLifetime, Duration idleTimeout,
      Executor background) {
    this.repository = repository;
    this.clock = clock;
    this.maxLifetime = maxLifetime;
    this.idleTimeout = idleTimeout;
    this.background = background;
  }

  /** A new central session on the sign-in host: a fresh id at every sign-in. */
  public Created createCentral(Identity identity, String host, String idToken, String clientIp, String userAgent) {
    Instant now = clock.instant();
    return insert(null, host, identity, idToken, now, now.plus(maxLifetime), clientIp, userAgent);
  }

  /** A session for one service host under a central one; it ends when the central one ends. */
  public Created createForHost(Session central, String host, String clientIp, String userAgent) {
    return insert(central.idHash(), host, central.identity(), null, central.authTime(), central.expireTime(), clientIp,
        userAgent);
  }

  private Created insert(String parent, String host, Identity identity, String idToken, Instant authTime,
      Instant expires, String clientIp, String userAgent) {
    String cookie = Tokens.newToken();
    Instant now = clock.instant();
    Session s = new Session(Tokens.hash(cookie), Tokens.newPublicId(), parent, host, identity, idToken, authTime, now,
        expires, now, false, clientIp, truncate(userAgent));
    repository.insert(s);
    cache.put(s.idHash(), s);
    return new Created(cookie, s);
  }

  /**
   * What memory knows about a cookie value: a live session, a known-dead one (empty), or nothing yet
   * (null: the caller must call {@link #load} off the event loop).
   */
  public Optional<Session> cached(String cookieValue, String host) {
    if (!Tokens.wellFormed(cookieValue)) {
      return Optional.empty();
    }
    String hash = Tokens.hash(cookieValue);
    Session s = cache.getIfPresent(hash);
    if (s != null) {
      return live(s, host);
    }
    if (unknown.getIfPresent(hash) != null) {
      return Optional.empty();
    }
    return null;
  }

  /**
   * The live session a cookie names on a host: from memory when known, else read from the store on a
   * worker thread. The caller pauses the request's body while it waits.
   */
  public Future<Optional<Session>> lookup(Vertx vertx, String cookieValue, String host) {
    if (cookieValue == null) {
      return Future.succeededFuture(Optional.empty());
    }
    Optional<Session> known = cached(cookieValue, host);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    return vertx.executeBlocking(() -> load(cookieValue, host), false);
  }

  /** Reads the store for a cookie value that memory does not know. Blocking. */
  public Optional<Session> load(String cookieValue, String host) {
    if (!Tokens.wellFormed(cookieValue)) {
      return Optional.empty();
    }
    String hash = Tokens.hash(cookieValue);
    Optional<Session> found = repository.find(hash);
    if (found.isEmpty()) {
      unknown.put(hash, Boolean.TRUE);
      return Optional.empty();
    }
    cache.put(hash, found.get());
    return live(found.get(), host);
  }

  private Optional<Session> live(Session s, String host) {
    Instant now = clock.instant();
    if (s.revoked() || !s.host().equals(host) || !now.isBefore(s.expireTime())
        || !now.isBefore(s.lastSeen().plus(idleTimeout))) {
      return Optional.empty();
    }
    if (now.isAfter(s.lastSeen().plus(TOUCH_EVERY))) {
      Session touched = s.withLastSeen(now);
      cache.put(s.idHash(), touched);
      background.execute(() -> repository.touch(s.idHash(), now));
      return Optional.of(touched);
    }
    return Optional.of(s);
  }

  /** Ends a sign-in everywhere: the central session and every host session under it. Blocking. */
  public void revokeFamily(Session s) {
    String central = s.central() ? s.idHash() : s.parentHash();
    forget(repository.revokeFamily(central));
    forget(List.of(central, s.idHash()));
  }

  /** Ends the sign-in a session belongs to, named by its public id. Blocking. */
  public Optional<Session> revokeByPublicId(String publicId) {
    Optional<Session> s = repository.findByPublicId(publicId);
    s.ifPresent(this::revokeFamily);
    return s;
  }

  /** Ends every session of a user. Blocking. */
  public void revokeUser(String userId) {
    forget(repository.revokeUser(userId));
  }

  /**
   * Live sessions, newest first; one user's when an email is given. Memory's copy wins over the store's,
   * whose last-seen time is written behind; sessions past their idle timeout are left out.
   */
  public List<Session> list(Optional<String> email) {
    Instant now = clock.instant();
    return repository.listLive(email, now).stream()
        .map(s -> {
          Session known = cache.getIfPresent(s.idHash());
          return known != null && known.lastSeen().isAfter(s.lastSeen()) ? known : s;
        })
        .filter(s -> now.isBefore(s.lastSeen().plus(idleTimeout)))
        .toList();
  }

  public Optional<Session> find(String idHash) {
    Session s = cache.getIfPresent(idHash);
    return s != null ? Optional.of(s) : repository.find(idHash);
  }

  private void forget(List<String> hashes) {
    cache.invalidateAll(hashes);
  }

  private static String truncate(String ua) {
    return ua == null ? null : ua.length() > 256 ? ua.substring(0, 256) : ua;
  }
}
