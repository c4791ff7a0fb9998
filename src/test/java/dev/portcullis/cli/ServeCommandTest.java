package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** serve refuses a bad configuration before it starts anything: exit 2 and one line naming the key. */
class ServeCommandTest {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  Run serve(Map<String, String> env, String... args) {
    CommandLine cl = PortcullisCommand.commandLine(env);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 1];
    all[0] = "serve";
    System.arraycopy(args, 0, all, 1, args.length);
    return new Run(cl.execute(all), out.toString(), err.toString());
  }

  static void assertOneLineNaming(Run r, String key, String allowed) {
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err().lines().toList()).hasSize(1);
    assertThat(r.err()).startsWith("portcullis: configuration error: " + key + ": ").contains(allowed);
    assertThat(r.err()).doesNotContain("Exception");
  }

  @Test
  void unknownKeyInConfigFile_exits2WithOneLine() throws IOException {
    Path file = Files.writeString(dir.resolve("p.yaml"), "listen: 127.0.0.1:0\nlisten_addr: 127.0.0.1:1\n");

    Run r = serve(Map.of(), "--config", file.toString(), "--data-dir", dir.toString());

    assertOneLineNaming(r, "listen_addr", "the keys are");
  }

  @Test
  void configFileFromEnvironment_isRead() throws IOException {
    Path file = Files.writeString(dir.resolve("p.yaml"), "shutdown:\n  timeout: 3x\n");

    Run r = serve(Map.of("PORTCULLIS_CONFIG", file.toString()), "--data-dir", dir.toString());

    assertOneLineNaming(r, "shutdown.timeout", "a duration");
  }

  @Test
  void badEnvironmentVariable_exits2WithOneLine() {
    Run r = serve(Map.of("PORTCULLIS_TRUSTED_PROXIES", "10.0.0.0/33"), "--data-dir", dir.toString());

    assertOneLineNaming(r, "trusted_proxies", "CIDR");
  }

  @Test
  void unknownEnvironmentVariable_exits2WithOneLine() {
    Run r = serve(Map.of("PORTCULLIS_LISTEN_PORT", "8080"), "--data-dir", dir.toString());

    assertOneLineNaming(r, "PORTCULLIS_LISTEN_PORT", "PORTCULLIS_LISTEN");
  }

  @Test
  void badFlag_exits2WithOneLine() {
    Run r = serve(Map.of(), "--listen", "nope", "--data-dir", dir.toString());

    assertOneLineNaming(r, "listen", "host:port");
  }

  @Test
  void valueWithALineBreak_staysOneLine() {
    Run r = serve(Map.of("PORTCULLIS_DEMO_ENABLED", "yes\nno"), "--data-dir", dir.toString());

    assertOneLineNaming(r, "demo.enabled", "true or false");
  }

  @Test
  void unknownFlag_isAUsageErrorWithoutTheWholeHelp() {
    Run r = serve(Map.of(), "--lisen", "127.0.0.1:1");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--lisen").contains("--listen").contains("portcullis serve --help");
    assertThat(r.err().lines().count()).isLessThanOrEqualTo(4);
  }
}
