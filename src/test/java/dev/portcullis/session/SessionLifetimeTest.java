package dev.portcullis.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.SignInFixture;
import dev.portcullis.testing.TestBrowser;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions end, end to end, on the real clock: when revoked, after the idle timeout, and at the maximum
 * lifetime even when in use. Short settings (idle 3s, maximum 8s) keep the waits small.
 */
class SessionLifetimeTest {
  static final long IDLE_MS = 3_000;
  static final long MAX_MS = 8_000;

  @TempDir static Path dir;
  static SignInFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = SignInFixture.start(dir, Map.of("session.idle_timeout", IDLE_MS + "ms", "session.max_lifetime", MAX_MS + "ms"));
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  private static int status(TestBrowser browser, String service, String path) {
    return browser.send(HttpMethod.GET, f.url(service, path), Map.of("accept", "application/json"), null).status();
  }

  @Test
  void revokeByPublicId_sendsTheNextRequestOfEveryHostToSignIn() {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    f.signedIn(browser, f.url("dash", "/"), email);
    f.handedOff(browser, f.url("wiki", "/"));
    Session dash = f.sessionsOf(email).stream().filter(s -> s.host().equals("dash.localhost")).findFirst().orElseThrow();

    assertThat(f.sessions().revokeByPublicId(dash.publicId())).isPresent();

    assertThat(browser.navigate(f.url("dash", "/revoked")).status()).isEqualTo(302);
    assertThat(status(browser, "wiki", "/revoked")).isEqualTo(401);
    assertThat(browser.follow(browser.navigate(f.url("wiki", "/revoked"))).status())
        .as("the central session is revoked too: the form").isEqualTo(200);
    assertThat(f.upstreamSaw("/revoked")).isFalse();
    assertThat(f.sessions().revokeByPublicId("no-such-id")).isEmpty();
  }

  @Test
  void idleSession_endsAfterTheIdleTimeout() throws Exception {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    f.signedIn(browser, f.url("dash", "/"), email);
    long lastUse = System.nanoTime();
    assertThat(status(browser, "dash", "/idle")).isEqualTo(200);

    Thread.sleep(IDLE_MS + 700);

    assertThat((System.nanoTime() - lastUse) / 1_000_000).isGreaterThan(IDLE_MS);
    assertThat(browser.navigate(f.url("dash", "/idle-after")).status()).isEqualTo(302);
    assertThat(f.upstreamSaw("/idle-after")).isFalse();
  }

  @Test
  void activeSession_outlivesTheIdleTimeoutButNotTheMaximumLifetime() throws Exception {
    String email = f.newAccount();
    TestBrowser browser = f.browser();
    long beforeSignIn = System.nanoTime();
    SignInFixture.Flow flow = f.signIn(browser, f.url("dash", "/"), email, SignInFixture.PASSWORD, true);
    long signedIn = System.nanoTime();
    assertThat(flow.callback().status()).isEqualTo(302);

    // In use every half second: alive well past the idle timeout, until the maximum lifetime.
    long deadline = beforeSignIn + MAX_MS * 1_000_000;
    int served = 0;
    while (System.nanoTime() < deadline - 500_000_000L) {
      assertThat(status(browser, "dash", "/active")).as("at %d ms", (System.nanoTime() - beforeSignIn) / 1_000_000)
          .isEqualTo(200);
      served++;
      Thread.sleep(500);
    }
    assertThat(served).as("requests beyond the idle timeout").isGreaterThan((int) (IDLE_MS / 500) + 2);

    while (System.nanoTime() < signedIn + (MAX_MS + 300) * 1_000_000) {
      status(browser, "dash", "/active");
      Thread.sleep(300);
    }
    assertThat(status(browser, "dash", "/active")).isEqualTo(401);
    assertThat(browser.follow(browser.navigate(f.url("wiki", "/"))).status())
        .as("the central session ended too: the form").isEqualTo(200);
    assertThat(f.sessionsOf(email)).isEmpty();
  }
}
