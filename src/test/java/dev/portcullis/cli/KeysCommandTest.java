package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.TestPortcullis;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
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

/** portcullis keys list|rotate against a real Portcullis. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeysCommandTest {
  TestPortcullis portcullis;
  Path tokenFile;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    portcullis = TestPortcullis.start(dir.resolve("data"));
    tokenFile = dir.resolve("data").resolve("admin-token");
  }

  @AfterAll
  void stop() {
    portcullis.close();
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
    return new Run(cl.execute(all.toArray(String[]::new)), out.toString(), err.toString());
  }

  @Test
  void list_showsCurrentAndNext_andRotateMovesThemOn() {
    String current = portcullis.portcullis().signingKeys().currentKid();
    Run listed = cli("keys", "list");
    assertThat(listed.exit()).isZero();
    assertThat(listed.out()).contains("KID", "STATE", current, "current", "next", "ES256");

    Run rotated = cli("keys", "rotate", "--format", "json");

    assertThat(rotated.exit()).as(rotated.err()).isZero();
    JsonObject keys = new JsonObject(rotated.out());
    assertThat(keys.getJsonArray("keys").stream().map(JsonObject.class::cast)
        .filter(k -> k.getString("state").equals("previous")).map(k -> k.getString("kid")).toList())
        .containsExactly(current);
    assertThat(cli("keys", "list").out()).contains(current + " ", "previous");
  }
}
