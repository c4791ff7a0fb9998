package dev.portcullis.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.authn.Identity;
import dev.portcullis.store.Database;
import dev.portcullis.store.SessionRepository;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Session lifetimes and revocation against a real store, with a clock the test moves. */
class SessionsTest {
  static final String AUTH = "auth.localhost";
  static final String DASH = "dash.localhost";
  static final Identity ANA = new Identity("u1", "local:u1", "ana@example.com", "local");

  @TempDir Path dir;
  Database db;
  SessionRepository repository;
  final TestClock clock = new TestClock();

  /** A clock that stands still until moved, or moves by a step every time it is read. */
  static final class TestClock extends Clock {
    final AtomicLong millis = new AtomicLong(Instant.parse("2030-01-01T00:00:00Z").toEpochMilli());
    volatile long stepPerRead;

    void advance(Duration d) {
      millis.addAndGet(d.toMillis());
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.getAndAdd(stepPerRead));
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @BeforeEach
  void open() {
    db = Database.openSqlite(dir.resolve("store.db"));
    repository = new SessionRepository(db);
  }

  @AfterEach
  void close() {
    db.close();
  }

  Sessions sessions(Duration maxLifetime, Duration idleTimeout) {
    return new Sessions(repository, clock, maxLifetime, idleTimeout, Runnable::run);
  }

  Sessions sessions(Duration maxLifetime, Duration idleTimeout, java.util.concurrent.Executor background) {
    return new Sessions(repository, clock, maxLifetime, idleTimeout, background);
  }

  /** What a request would get: memory first, the store on a miss. */
  static Optional<Session> lookup(Sessions sessions, String cookie, String host) {
    Optional<Session> known = sessions.cached(cookie, host);
    return known != null ? known : sessions.load(cookie, host);
  }

  @Test
  void activeSession_outlivesTheIdleTimeout() {
    Sessions sessions = sessions(Duration.ofHours(1), Duration.ofSeconds(2));
    Sessions.Created central = sessions.createCentral(ANA, AUTH, null, "127.0.0.1", "test");
    Sessions.Created host = sessions.createForHost(central.session(), DASH, "127.0.0.1", "test").orElseThrow();

    for (int i = 0; i < 20; i++) {
      clock.advance(Duration.ofMillis(500));
      assertThat(sessions.cached(host.cookieValue(), DASH)).as("after %d ms in use", (i + 1) * 500).isPresent();
    }
    // A fresh process, reading the store, agrees.
    assertThat(sessions(Duration.ofHours(1), Duration.ofSeconds(2)).load(host.cookieValue(), DASH)).isPresent();
  }

  @Test
  void idleSession_endsAfterTheIdleTimeout() {
    Sessions sessions = sessions(Duration.ofHours(1), Duration.ofSeconds(2));
    Sessions.Created central = sessions.createCentral(ANA, AUTH, null, "127.0.0.1", "test");
    Sessions.Created host = sessions.createForHost(central.session(), DASH, "127.0.0.1", "test").orElseThrow();

    clock.advance(Duration.ofMillis(1900));
    assertThat(sessions.cached(host.cookieValue(), DASH)).isPresent();
    clock.advance(Duration.ofMillis(2100));
    assertThat(sessions.cached(host.cookieValue(), DASH)).isEmpty();
    assertThat(sessions(Duration.ofHours(1), Duration.ofSeconds(2)).load(host.cookieValue(), DASH)).isEmpty();
  }

  @Test
  void activityOnAServiceHost_keepsTheSignInAliveForTheNextHandOff() {
    Sessions sessions = sessions(Duration.ofHours(1), Duration.ofSeconds(2));
    Sessions.Created central = sessions.createCentral(ANA, AUTH, null, "127.0.0.1", "test");
    Sessions.Created host = sessions.createForHost(central.session(), DASH, "127.0.0.1", "test").orElseThrow();

    for (int i = 0; i < 10; i++) {
      clock.advance(Duration.ofMillis(500));
      assertThat(sessions.cached(host.cookieValue(), DASH)).isPresent();
    }

    assertThat(sessions.cached(central.cookieValue(), AUTH)).isPresent();
    assertThat(sessions(Duration.ofHours(1), Duration.ofSeconds(2)).load(central.cookieValue(), AUTH)).isPresent();
  }

  @Test
  void session_endsAtItsMaximumLifetimeEvenWhenActive() {
    Sessions sessions = sessions(Duration.ofSeconds(5), Duration.ofSeconds(2));
    Sessions.Created central = sessions.createCentral(ANA, AUTH, null, "127.0.0.1", "test");
    Sessions.Created host = sessions.createForHost(central.session(), DASH, "127.0.0.1", "test").orElseThrow();

    for (int i = 0; i < 9; i++) {
      clock.advance(Duration.ofMillis(500));
      assertThat(sessions.cached(host.cookieValue(), DASH)).isPresent();
    }
    clock.advance(Duration.ofMillis(600));
    assertThat(sessions.cached(host.cookieValue(), DASH)).isEmpty();
    assertThat(sessions.cached(central.cookieValue(), AUTH)).isEmpty();
  }

  @Test
  void createForHost_refusesACentralSessionRevokedMeanwhile() {
    Sessions sessions = sessions(Duration.ofHours(1), Duration.ofHours(1));
    Sessions.Created central = sessions.createCentral(ANA, AUTH, null, "127.0.0.1", "test");
    Session seenBeforeRevocation = central.session();
    sessions.revokeUser(ANA.userId());

    Optional<Sessions.Created> host = sessions.createForHost(seenBeforeRevocation, DASH, "127.0.0.1", "test");

    assertThat(host).isEmpty();
    assertThat(sessions.list(Optional.of(ANA.email()))).isEmpty();
  }

  @Test
  void revokedSession_staysRevokedWhileLookupsRace() throws Exception {
    // Every read of this clock moves it past the touch interval, so each lookup writes the session back
    // to the cache: the window in which a revocation could be undone is open on every call.
    Sessions sessions = sessions(Duration.ofDays(3650), Duration.ofDays(3650), task -> {});
    for (int round = 0; round < 100; round++) {
      clock.stepPerRead = 0;
      Sessions.Created central = sessions.createCentral(ANA, AUTH, null, "127.0.0.1", "test");
      Sessions.Created host = sessions.createForHost(central.session(), DASH, "127.0.0.1", "test").orElseThrow();
      clock.stepPerRead = Duration.ofSeconds(61).toMillis();
      AtomicBoolean stop = new AtomicBoolean();
      CountDownLatch running = new CountDownLatch(3);
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        Thread reader = new Thread(() -> {
          running.countDown();
          while (!stop.get()) {
            Optional<Session> s = sessions.cached(host.cookieValue(), DASH);
            if (s == null) {
              sessions.load(host.cookieValue(), DASH);
            }
          }
        });
        reader.start();
        readers.add(reader);
      }
      running.await();
      Thread.sleep(1);
      sessions.revokeFamily(host.session());
      Thread.sleep(2);
      stop.set(true);
      for (Thread reader : readers) {
        reader.join();
      }

      assertThat(lookup(sessions, host.cookieValue(), DASH)).as("round " + round).isEmpty();
      assertThat(lookup(sessions, central.cookieValue(), AUTH)).as("round " + round).isEmpty();
    }
  }
}
