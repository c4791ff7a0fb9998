package dev.portcullis.authn.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.authn.local.LocalAccounts.Outcome;
import dev.portcullis.store.Database;
import dev.portcullis.store.UserRepository;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Password checks with lockout and throttling, on a clock the test moves. */
class LocalAccountsTest {
  static final String PASSWORD = "correct horse battery staple";

  @TempDir Path dir;
  Database db;
  LocalAccounts accounts;
  final AtomicLong now = new AtomicLong(Instant.parse("2030-01-01T00:00:00Z").toEpochMilli());
  final Clock clock = new Clock() {
    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now.get());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  };

  @BeforeEach
  void open() {
    db = Database.openSqlite(dir.resolve("store.db"));
    // Cheap hashes: these tests are about counting, not about the cost of a guess.
    accounts = new LocalAccounts(new UserRepository(db, clock), new PasswordHasher(256, 1),
        new LoginThrottle(5, 50, Duration.ofMinutes(15), () -> now.get() * 1_000_000), clock);
    accounts.create("ana@example.com", Optional.empty(), PASSWORD);
  }

  @AfterEach
  void close() {
    db.close();
  }

  void advance(Duration d) {
    now.addAndGet(d.toMillis());
  }

  @Test
  void signIn_locksAfterFiveFailuresUntilTheWindowPasses() {
    for (int i = 0; i < 5; i++) {
      assertThat(accounts.signIn("ana@example.com", "wrong", "10.0.0.1").outcome()).isEqualTo(Outcome.INVALID);
    }
    assertThat(accounts.signIn("ana@example.com", PASSWORD, "10.0.0.2").outcome()).isEqualTo(Outcome.LOCKED);
    advance(Duration.ofMinutes(14));
    assertThat(accounts.signIn("Ana@Example.com", PASSWORD, "10.0.0.3").outcome()).isEqualTo(Outcome.LOCKED);

    advance(Duration.ofMinutes(2));

    assertThat(accounts.signIn("ana@example.com", PASSWORD, "10.0.0.1").outcome()).isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void signIn_afterALockHasPassedOneMistakeDoesNotLockAgain() {
    for (int i = 0; i < 5; i++) {
      accounts.signIn("ana@example.com", "wrong", "10.0.0.1");
    }
    advance(Duration.ofMinutes(16));

    assertThat(accounts.signIn("ana@example.com", "typo", "10.0.0.1").outcome()).isEqualTo(Outcome.INVALID);
    assertThat(accounts.signIn("ana@example.com", PASSWORD, "10.0.0.1").outcome()).isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void signIn_throttlesAClientAddressThatGuessesAcrossAccounts() {
    for (int i = 0; i < 50; i++) {
      accounts.signIn("guess" + i + "@example.com", "wrong", "10.0.0.9");
    }

    assertThat(accounts.signIn("ana@example.com", PASSWORD, "10.0.0.9").outcome()).isEqualTo(Outcome.THROTTLED);
    assertThat(accounts.signIn("ana@example.com", PASSWORD, "10.0.0.1").outcome()).isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void signIn_refusesADisabledAccountAsIfTheSecretWereWrong() {
    accounts.setDisabled("ana@example.com", true);

    assertThat(accounts.signIn("ana@example.com", PASSWORD, "10.0.0.1").outcome()).isEqualTo(Outcome.INVALID);

    accounts.setDisabled("ana@example.com", false);
    assertThat(accounts.signIn("ana@example.com", PASSWORD, "10.0.0.1").outcome()).isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void signIn_unknownAndMalformedAccountsAreInvalid() {
    assertThat(accounts.signIn("nobody@example.com", PASSWORD, "10.0.0.1").outcome()).isEqualTo(Outcome.INVALID);
    assertThat(accounts.signIn("ana@example.com@evil.test", PASSWORD, "10.0.0.1").outcome())
        .isEqualTo(Outcome.INVALID);
    assertThat(accounts.signIn(null, null, "10.0.0.1").outcome()).isEqualTo(Outcome.INVALID);
  }
}
