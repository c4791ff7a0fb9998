package dev.portcullis.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.authn.Identity;
import dev.portcullis.store.Database;
import dev.portcullis.store.SessionRepository;
import dev.portcullis.store.SignInStateRepository;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hand-off codes: a minute, one host, once. */
class HandoffsTest {
  @TempDir Path dir;
  Database db;
  Handoffs handoffs;
  Session central;
  final SessionsTest.TestClock clock = new SessionsTest.TestClock();

  @BeforeEach
  void open() {
    db = Database.openSqlite(dir.resolve("store.db"));
    handoffs = new Handoffs(new SignInStateRepository(db), clock);
    central = new Sessions(new SessionRepository(db), clock, Duration.ofHours(1), Duration.ofHours(1), Runnable::run)
        .createCentral(new Identity("u1", "local:u1", "ana@example.com", "local"), "auth.localhost", null, null, null)
        .session();
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void take_acceptsAFreshCodeOnceForItsHost() {
    String code = handoffs.create(central, "dash.localhost", "http://dash.localhost/x", "binding");
    clock.advance(Duration.ofSeconds(59));

    assertThat(handoffs.take(code, "dash.localhost")).hasValueSatisfying(h -> {
      assertThat(h.sessionHash()).isEqualTo(central.idHash());
      assertThat(h.returnUrl()).isEqualTo("http://dash.localhost/x");
      assertThat(h.bindingHash()).isEqualTo("binding");
    });
    assertThat(handoffs.take(code, "dash.localhost")).isEmpty();
  }

  @Test
  void take_refusesAnExpiredCode() {
    String code = handoffs.create(central, "dash.localhost", "http://dash.localhost/x", "binding");
    clock.advance(Duration.ofSeconds(61));

    assertThat(handoffs.take(code, "dash.localhost")).isEmpty();
  }

  @Test
  void take_refusesAnotherHostAndBurnsTheCode() {
    String code = handoffs.create(central, "dash.localhost", "http://dash.localhost/x", "binding");

    assertThat(handoffs.take(code, "wiki.localhost")).isEmpty();
    assertThat(handoffs.take(code, "dash.localhost")).isEmpty();
  }

  @Test
  void take_refusesMalformedAndUnknownCodes() {
    handoffs.create(central, "dash.localhost", "http://dash.localhost/x", "binding");

    assertThat(handoffs.take(null, "dash.localhost")).isEmpty();
    assertThat(handoffs.take("", "dash.localhost")).isEmpty();
    assertThat(handoffs.take("' OR 1=1 --", "dash.localhost")).isEmpty();
    assertThat(handoffs.take(Tokens.newToken(), "dash.localhost")).isEmpty();
  }
}
