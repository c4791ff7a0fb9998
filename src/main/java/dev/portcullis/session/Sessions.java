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

  private final List<java.util.function.Consumer<List<String>>> revokedListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** The longest time between two writes of a session's last use; shorter for short idle timeouts. */
  private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
  /** Longer than any store read in flight: see {@link #remember}. */
  private static final Duration REVOKED_MEMORY = Duration.ofMinutes(10);

  private final SessionRepository repository;
  private final Clock clock;
  private final Duration maxLifetime;
  private final Duration idleTimeout;
  private final Executor background;
  private final Duration touchEvery;
  private final Cache<String, Session> cache = Caffeine.newBuilder().maximumSize(200_000).build();
  private final Cache<String, Boolean> unknown = Caffeine.newBuilder()
      .maximumSize(100_000).expireAfterWrite(Duration.ofSeconds(30)).build();
  /** Hashes revoked lately, so that a store read racing a revocation cannot put a stale session back. */
  private final Cache<String, Boolean> revoked = Caffeine.newBuilder()
      .maximumSize(200_000).expireAfterWrite(REVOKED_MEMORY).build();

  public Sessions(SessionRepository repository, Clock clock, Duration maxLifetime, Duration idleTimeout,
      Executor background) {
    this.repository = repository;
    this.clock = clock;
    this.maxLifetime = maxLifetime;
    this.idleTimeout = idleTimeout;
    this.background = background;
    // With an idle timeout shorter than the touch interval, a session in constant use would otherwise
    // end as if idle, since its last use is only recorded at every touch.
    Duration quarter = idleTimeout.dividedBy(4);
    this.touchEvery = quarter.compareTo(TOUCH_EVERY) < 0 ? quarter : TOUCH_EVERY;
  }

  /** A new central session on the sign-in host: a fresh id at every sign-in. */
  public Created createCentral(Identity identity, String host, String idToken, String clientIp, String userAgent) {
    Instant now = clock.instant();
    return insert(null, host, identity, idToken, now, now.plus(maxLifetime), clientIp, userAgent);
  }

  /**
   * A session for one service host under a central one; it ends when the central one ends. Empty when
   * the central session was revoked or expired meanwhile: the store checks that as it inserts.
   */
  public Optional<Created> createForHost(Session central, String host, String clientIp, String userAgent) {
    String cookie = Tokens.newToken();
    Instant now = clock.instant();
    Session s = new Session(Tokens.hash(cookie), Tokens.newPublicId(), central.idHash(), host, central.identity(),
        null, central.authTime(), now, central.expireTime(), now, false, clientIp, truncate(userAgent));
    if (!repository.insertUnderLiveParent(s, now)) {
      return Optional.empty();
    }
    return remember(s) ? Optional.of(new Created(cookie, s)) : Optional.empty();
  }

  private Created insert(String parent, String host, Identity identity, String idToken, Instant authTime,
      Instant expires, String clientIp, String userAgent) {
    String cookie = Tokens.newToken();
    Instant now = clock.instant();
    Session s = new Session(Tokens.hash(cookie), Tokens.newPublicId(), parent, host, identity, idToken, authTime, now,
        expires, now, false, clientIp, truncate(userAgent));
    repository.insert(s);
    remember(s);
    return new Created(cookie, s);
  }

  /**
   * Puts a session read from (or just written to) the store into memory, unless it was revoked meanwhile.
   * A revocation writes the store, then marks the hashes revoked, then drops them from memory; checking
   * the mark after the put means a racing read either is dropped by the revocation or sees the mark.
   */
  private boolean remember(Session s) {
    cache.put(s.idHash(), s);
    if (revoked.getIfPresent(s.idHash()) != null) {
      cache.invalidate(s.idHash());
      return false;
    }
    return true;
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
    if (!remember(found.get())) {
      return Optional.empty();
    }
    return live(found.get(), host);
  }

  private Optional<Session> live(Session s, String host) {
    Instant now = clock.instant();
    if (s.revoked() || !s.host().equals(host) || !now.isBefore(s.expireTime())
        || !now.isBefore(s.lastSeen().plus(idleTimeout))) {
      return Optional.empty();
    }
    if (now.isAfter(s.lastSeen().plus(touchEvery))) {
      // Only replace what memory still holds: a session dropped by a revocation must stay dropped.
      Session touched = s.withLastSeen(now);
      cache.asMap().computeIfPresent(s.idHash(), (k, v) -> v.lastSeen().isBefore(now) ? touched : v);
      // Use of a service host is use of the sign-in too: the central session stays alive for the next
      // hand-off as long as any of its hosts is in use.
      if (s.parentHash() != null) {
        cache.asMap().computeIfPresent(s.parentHash(), (k, v) -> v.lastSeen().isBefore(now) ? v.withLastSeen(now) : v);
      }
      background.execute(() -> {
        repository.touch(s.idHash(), now);
        if (s.parentHash() != null) {
          repository.touch(s.parentHash(), now);
        }
      });
      return Optional.of(touched);
    }
    return Optional.of(s);
  }

  /** Ends a sign-in everywhere: the central session and every host session under it. Blocking. */
  public void revokeFamily(Session s) {
    String central = s.central() ? s.idHash() : s.parentHash();
    List<String> hashes = new java.util.ArrayList<>(repository.revokeFamily(central));
    hashes.add(central);
    hashes.add(s.idHash());
    forget(hashes);
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

  /**
   * Sessions another replica revoked (by hash, from the change feed): dropped from memory, so the next
   * request with one of them reads the store and finds it revoked.
   */
  public void revokedElsewhere(List<String> hashes) {
    forget(hashes);
  }

  /**
   * Drops every session held in memory, after the change feed was away and revocations may have been
   * missed: each is read from the store again on its next request (the one store read allowed).
   */
  public void forgetAll() {
    cache.invalidateAll();
    unknown.invalidateAll();
  }

  /**
   * Reads these sessions (by id hash) from the store and treats those revoked or gone as revoked here:
   * marked, dropped, and the revocation listeners told (which end their connections). For after the
   * change feed was away, when a revocation may have been missed. Blocking; returns how many.
   */
  public int recheckRevoked(java.util.Collection<String> idHashes) {
    java.util.Set<String> live = repository.notRevokedAmong(idHashes);
    List<String> revokedNow = idHashes.stream().filter(h -> !live.contains(h)).toList();
    if (!revokedNow.isEmpty()) {
      forget(revokedNow);
    }
    return revokedNow.size();
  }

  /** After the store has them revoked: mark, then drop (the order {@link #remember} relies on). */
  private void forget(List<String> hashes) {
    for (String h : hashes) {
      revoked.put(h, Boolean.TRUE);
    }
    cache.invalidateAll(hashes);
    for (java.util.function.Consumer<List<String>> l : revokedListeners) {
      l.accept(hashes);
    }
  }

  /** Whether this session (by id hash) was revoked lately, here or on another replica. */
  public boolean revokedLately(String idHash) {
    return idHash != null && revoked.getIfPresent(idHash) != null;
  }

  /** Called with the id hashes of sessions just revoked (sign-out, revocation, a disabled user). */
  public void onRevoked(java.util.function.Consumer<List<String>> listener) {
    revokedListeners.add(listener);
  }

  private static String truncate(String ua) {
    return ua == null ? null : ua.length() > 256 ? ua.substring(0, 256) : ua;
  }
}
