package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.authn.User;
import dev.portcullis.testing.SignedInSessions;
import dev.portcullis.testing.SignedInSessions.SignIn;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The sessions commands as an administrator runs them, against a real Portcullis. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionsCommandTest {
  Upstreams upstreams;
  TestPortcullis portcullis;
  SignedInSessions signedIn;
  Path tokenFile;
  final AtomicInteger names = new AtomicInteger();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    String upstream = upstreams.http(req -> req.response().end("hi"));
    portcullis = TestPortcullis.start(dir.resolve("data"));
    tokenFile = dir.resolve("data").resolve("admin-token");
    signedIn = new SignedInSessions(portcullis, upstreams.vertx().createHttpClient());
    portcullis.createService("app", upstream, new JsonObject().put("iap", true));
    portcullis.grantAllSignedIn();
  }

  @AfterAll
  void stop() throws Exception {
    if (portcullis != null) {
      portcullis.close();
    }
    upstreams.close();
  }

  User user(String prefix) {
    return portcullis.portcullis().accounts().orElseThrow()
        .create(prefix + "-" + names.incrementAndGet() + "@example.com", Optional.empty(), "a password here");
  }

  record Run(int exit, String out, String err) {}

  Run cli(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(List.of("--admin-url", portcullis.adminUrl(), "--token-file", tokenFile.toString()));
    CommandLine cl = PortcullisCommand.commandLine(Map.of());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(all.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void list_forAUser_showsTheSignInsSessions_withoutSecrets() {
    User u = user("listed");
    User other = user("other");
    SignIn s = signedIn.signIn(u, "app");
    SignIn o = signedIn.signIn(other, "app");

    Run table = cli("sessions", "list", "--user", u.email());

    assertThat(table.exit()).as(table.err()).isZero();
    assertThat(table.out().lines().findFirst().orElseThrow()).startsWith("ID").contains("USER").contains("HOST");
    assertThat(table.out().lines().filter(l -> l.startsWith(s.hostSession().publicId())).findFirst().orElseThrow())
        .contains(u.email()).contains("app.localhost").contains("host").contains("127.0.0.1");
    assertThat(table.out().lines().filter(l -> l.startsWith(s.central().session().publicId())).findFirst()
        .orElseThrow()).contains("central");
    assertThat(table.out()).doesNotContain(o.hostSession().publicId()).doesNotContain(other.email());

    Run json = cli("sessions", "list", "--format", "json");

    assertThat(json.exit()).isZero();
    assertThat(new JsonObject(json.out()).getJsonArray("sessions").stream().map(j -> ((JsonObject) j).getString("id")))
        .contains(s.hostSession().publicId(), o.hostSession().publicId());
    for (SignIn each : List.of(s, o)) {
      assertThat(json.out()).doesNotContain(each.cookie()).doesNotContain(each.hostSession().idHash())
          .doesNotContain(each.central().session().idHash()).doesNotContain(SignedInSessions.ID_TOKEN);
    }
  }

  @Test
  void list_forAUserWithoutSessions_saysSo() {
    User u = user("idle");

    Run r = cli("sessions", "list", "--user", u.email());

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("No live sessions for " + u.email());
  }

  @Test
  void list_withABadUser_namesTheFlag() {
    Run r = cli("sessions", "list", "--user", "nope");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("user (--user)");
  }

  @Test
  void revoke_refusesTheNextRequest() throws Exception {
    User u = user("revoked");
    SignIn s = signedIn.signIn(u, "app");
    assertThat(signedIn.get("app", s.cookie())).isEqualTo(200);

    Run r = cli("sessions", "revoke", s.hostSession().publicId());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("Revoked session " + s.hostSession().publicId()).contains(u.email());
    assertThat(signedIn.get("app", s.cookie())).isEqualTo(401);
    assertThat(cli("sessions", "list", "--user", u.email()).out()).contains("No live sessions");
  }

  @Test
  void revoke_unknownId_failsWithExitOne() {
    Run r = cli("sessions", "revoke", "ffffffffffffffffffffffff");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("no session with id").contains("404");
  }
}
