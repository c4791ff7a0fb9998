package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.iam.PredefinedRoles;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** service-accounts keys and auth print-identity-token, as a programmer runs them, against a real Portcullis. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthCommandTest {
  TestPortcullis portcullis;
  Upstreams upstreams;
  Path dir;
  Path tokenFile;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    this.dir = dir;
    upstreams = new Upstreams();
    String upstream = upstreams.http(req -> req.response().end("ok"));
    portcullis = TestPortcullis.start(dir.resolve("data"));
    tokenFile = dir.resolve("data").resolve("admin-token");
    portcullis.createService("reports", upstream, new JsonObject().put("iap", true));
  }

  @AfterAll
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
  }

  record Run(int exit, String out, String err) {}

  Run cli(boolean admin, String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    if (admin) {
      all.addAll(List.of("--admin-url", portcullis.adminUrl(), "--token-file", tokenFile.toString()));
    }
    CommandLine cl = PortcullisCommand.commandLine(Map.of(), new ByteArrayInputStream(new byte[0]));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(all.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void keysCreate_writesAPrivateFile_andItsTokenIsAcceptedByTheGateway() throws Exception {
    assertThat(cli(true, "service-accounts", "create", "reporter").exit()).isZero();
    String email = "reporter@default.iam.portcullis.internal";
    portcullis.grant("projects/default/services/reports", PredefinedRoles.ACCESSOR, "serviceAccount:" + email);
    Path key = dir.resolve("reporter.json");
    Run created = cli(true, "service-accounts", "keys", "create", email, "--output", key.toString());
    assertThat(created.exit()).as(created.err()).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    assertThat(cli(true, "service-accounts", "keys", "create", email, "--output", key.toString()).err())
        .contains("already exists");

    String url = "http://" + portcullis.hostOf("reports") + "/*";
    Run printed = cli(false, "auth", "print-identity-token", "--key-file", key.toString(), "--audience", url,
        "--lifetime", "15m");
    assertThat(printed.exit()).as(printed.err()).isZero();
    String token = printed.out().trim();
    SignedJWT jwt = SignedJWT.parse(token);
    assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo(email);
    assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo(email);
    assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly(url);
    assertThat(RawHttp.send(portcullis.port(), "GET /daily HTTP/1.1", "Host: " + portcullis.hostOf("reports"),
        "Authorization: Bearer " + token, "Connection: close").status()).isEqualTo(200);

    String keyId = new JsonObject(Files.readString(key)).getString("private_key_id");
    assertThat(cli(true, "service-accounts", "keys", "list", email).out()).contains(keyId);
    assertThat(cli(true, "service-accounts", "keys", "delete", email, keyId).exit()).isZero();
    assertThat(RawHttp.send(portcullis.port(), "GET /daily HTTP/1.1", "Host: " + portcullis.hostOf("reports"),
        "Authorization: Bearer " + token, "Connection: close").status()).isEqualTo(401);
  }

  @Test
  void printIdentityToken_refusesALifetimeOverAnHour_andAnAudienceWithoutPath() throws Exception {
    assertThat(cli(true, "service-accounts", "create", "lifetimes").exit()).isZero();
    Path key = dir.resolve("lifetimes.json");
    assertThat(cli(true, "service-accounts", "keys", "create", "lifetimes@default.iam.portcullis.internal",
        "--output", key.toString()).exit()).isZero();
    Run tooLong = cli(false, "auth", "print-identity-token", "--key-file", key.toString(), "--audience",
        "https://dash.example.com/", "--lifetime", "2h");
    assertThat(tooLong.exit()).isEqualTo(2);
    assertThat(tooLong.err()).contains("--lifetime");
    Run noPath = cli(false, "auth", "print-identity-token", "--key-file", key.toString(), "--audience",
        "https://dash.example.com");
    assertThat(noPath.exit()).isEqualTo(2);
    assertThat(noPath.err()).contains("has no path");
  }
}
