package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.authn.local.LocalAccounts;
import dev.portcullis.authn.local.LocalAccounts.Outcome;
import dev.portcullis.testing.SignedInSessions;
import dev.portcullis.testing.SignedInSessions.SignIn;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The users commands as an administrator runs them, against a real Portcullis. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsersCommandTest {
  private static final Pattern SHOWN_PASSWORD = Pattern.compile("\\(shown only this once\\): (\\S+)");

  Upstreams upstreams;
  TestPortcullis portcullis;
  LocalAccounts accounts;
  SignedInSessions signedIn;
  Path tokenFile;
  final AtomicInteger names = new AtomicInteger();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    String upstream = upstreams.http(req -> req.response().end("hi"));
    portcullis = TestPortcullis.start(dir.resolve("data"));
    tokenFile = dir.resolve("data").resolve("admin-token");
    accounts = portcullis.portcullis().accounts().orElseThrow();
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

  String email(String prefix) {
    return prefix + "-" + names.incrementAndGet() + "@example.com";
  }

  record Run(int exit, String out, String err) {
    List<String> errLines() {
      return err.isEmpty() ? List.of() : Arrays.asList(err.split("\n"));
    }
  }

  /** Runs against the test Portcullis with this standard input and no environment. */
  Run cliWithInput(String stdin, String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(List.of("--admin-url", portcullis.adminUrl(), "--token-file", tokenFile.toString()));
    CommandLine cl = PortcullisCommand.commandLine(Map.of(),
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(all.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  Run cli(String... args) {
    return cliWithInput("", args);
  }

  static String shownPassword(Run r) {
    Matcher m = SHOWN_PASSWORD.matcher(r.out());
    assertThat(m.find()).as("a password shown in %s", r.out()).isTrue();
    String password = m.group(1);
    assertThat(m.find()).as("shown once").isFalse();
    return password;
  }

  @Test
  void create_withoutPassword_printsAGeneratedOneOnce_thatSignsIn() {
    String email = email("gen");

    Run r = cli("users", "create", email, "--display-name", "Gen Erated");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).startsWith("Created built-in account " + email + ".");
    String password = shownPassword(r);
    assertThat(accounts.signIn(email, password, "10.5.0.1").outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(accounts.find(email).displayName()).contains("Gen Erated");
  }

  @Test
  void create_withPasswordStdin_usesItAndPrintsNoPassword() {
    String email = email("stdin");

    Run r = cliWithInput("piped in password\n", "users", "create", email, "--password-stdin");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).doesNotContain("piped in password").doesNotContain("shown only this once");
    assertThat(accounts.signIn(email, "piped in password", "10.5.0.2").outcome()).isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void create_refusals_nameTheArgumentOrFlag() {
    Run badEmail = cli("users", "create", "not-an-email");
    assertThat(badEmail.exit()).isEqualTo(1);
    assertThat(badEmail.errLines()).hasSize(2);
    assertThat(badEmail.errLines().get(0)).startsWith("portcullis: ").contains("400");
    assertThat(badEmail.errLines().get(1)).contains("email (EMAIL)").contains("not-an-email");

    String email = email("short");
    Run shortPassword = cliWithInput("tiny\n", "users", "create", email, "--password-stdin");
    assertThat(shortPassword.exit()).isEqualTo(1);
    assertThat(shortPassword.err()).contains("password (--password-stdin)").contains("at least 10");
    assertThat(portcullis.portcullis().users().findLocal(email)).isEmpty();

    Run empty = cliWithInput("", "users", "create", email, "--password-stdin");
    assertThat(empty.exit()).isEqualTo(2);
    assertThat(empty.err()).contains("--password-stdin").contains("empty");
    assertThat(portcullis.portcullis().users().findLocal(email)).isEmpty();

    Run twoLines = cliWithInput("first line here\nsecond line\n", "users", "create", email, "--password-stdin");
    assertThat(twoLines.exit()).isEqualTo(2);
    assertThat(portcullis.portcullis().users().findLocal(email)).isEmpty();
  }

  @Test
  void create_existing_failsWithExitOne() {
    String email = email("dup");
    assertThat(cli("users", "create", email).exit()).isZero();

    Run r = cli("users", "create", email);

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("already exists").contains("409");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void list_showsAccountsAndTheirState_asATableOrJson() {
    String active = email("active");
    String disabled = email("off");
    accounts.create(active, Optional.of("Ana Active"), "a password here");
    accounts.create(disabled, Optional.empty(), "a password here");
    accounts.setDisabled(disabled, true);

    Run table = cli("users", "list");

    assertThat(table.exit()).as(table.err()).isZero();
    assertThat(table.out().lines().findFirst().orElseThrow()).startsWith("EMAIL").contains("STATUS");
    assertThat(table.out().lines().filter(l -> l.startsWith(active + " ")).findFirst().orElseThrow())
        .contains("local").contains("Ana Active").contains("active");
    assertThat(table.out().lines().filter(l -> l.startsWith(disabled + " ")).findFirst().orElseThrow())
        .contains("disabled");

    Run json = cli("users", "list", "--format", "json");

    assertThat(json.exit()).isZero();
    assertThat(json.out()).doesNotContain("argon2").doesNotContain("password");
    assertThat(new JsonObject(json.out()).getJsonArray("users").stream().map(JsonObject.class::cast)
        .filter(u -> u.getString("email").equals(disabled)).findFirst().orElseThrow().getBoolean("disabled")).isTrue();
  }

  @Test
  void disable_refusesTheNextRequest_enable_letsThemSignInAgain() throws Exception {
    String email = email("toggle");
    accounts.create(email, Optional.empty(), "toggle password");
    SignIn session = signedIn.signIn(accounts.find(email), "app");
    assertThat(signedIn.get("app", session.cookie())).isEqualTo(200);

    Run disable = cli("users", "disable", email);

    assertThat(disable.exit()).as(disable.err()).isZero();
    assertThat(disable.out()).contains("Disabled " + email);
    assertThat(signedIn.get("app", session.cookie())).isEqualTo(401);
    assertThat(accounts.signIn(email, "toggle password", "10.5.1.1").outcome()).isEqualTo(Outcome.INVALID);

    Run enable = cli("users", "enable", email);

    assertThat(enable.exit()).as(enable.err()).isZero();
    assertThat(enable.out()).contains("Enabled " + email);
    assertThat(accounts.signIn(email, "toggle password", "10.5.1.1").outcome()).isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void disable_unknownAccount_failsWithExitOne() {
    Run r = cli("users", "disable", "ghost@example.com");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("no user with email ghost@example.com").contains("404");
  }

  @Test
  void resetPassword_generatedOrFromStdin_replacesTheOldAndEndsSessions() throws Exception {
    String email = email("reset");
    accounts.create(email, Optional.empty(), "the old password");
    SignIn session = signedIn.signIn(accounts.find(email), "app");

    Run generated = cli("users", "reset-password", email);

    assertThat(generated.exit()).as(generated.err()).isZero();
    String password = shownPassword(generated);
    assertThat(signedIn.get("app", session.cookie())).isEqualTo(401);
    assertThat(accounts.signIn(email, "the old password", "10.5.2.1").outcome()).isEqualTo(Outcome.INVALID);
    assertThat(accounts.signIn(email, password, "10.5.2.1").outcome()).isEqualTo(Outcome.SUCCESS);

    Run piped = cliWithInput("chosen by admin\r\n", "users", "reset-password", email, "--password-stdin");

    assertThat(piped.exit()).as(piped.err()).isZero();
    assertThat(piped.out()).doesNotContain("chosen by admin").doesNotContain("shown only this once");
    assertThat(accounts.signIn(email, "chosen by admin", "10.5.2.2").outcome()).isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void withoutSubcommand_isAUsageError() {
    CommandLine cl = PortcullisCommand.commandLine(Map.of());
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));

    int exit = cl.execute("users");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("create, list, disable, enable or reset-password");
  }
}
