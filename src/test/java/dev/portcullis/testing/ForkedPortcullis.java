package dev.portcullis.testing;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Portcullis in its own JVM, started as an operator would ({@code portcullis serve}), with JVM options of the
 * test's choosing, e.g. a small heap to show that bodies are streamed rather than held.
 */
public final class ForkedPortcullis implements AutoCloseable {
  private final Process process;
  private final int port;
  private final int adminPort;
  private final Path log;
  private final String adminToken;
  private final HttpClient http = HttpClient.newHttpClient();

  private ForkedPortcullis(Process process, int port, int adminPort, Path log, String adminToken) {
    this.process = process;
    this.port = port;
    this.adminPort = adminPort;
    this.log = log;
    this.adminToken = adminToken;
  }

  public static ForkedPortcullis start(Path dataDir, List<String> jvmOptions) throws IOException, InterruptedException {
    int port = freePort();
    int adminPort = freePort();
    Path log = dataDir.resolve("portcullis.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.portcullis.Main", "serve",
        "--listen", "127.0.0.1:" + port, "--admin-listen", "127.0.0.1:" + adminPort,
        "--data-dir", dataDir.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("PORTCULLIS_"));
    builder.environment().put("PORTCULLIS_DEMO_ENABLED", "false");
    Process process = builder.start();

    HttpClient http = HttpClient.newHttpClient();
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/healthz"))
        .timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("portcullis exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          break;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IllegalStateException("portcullis did not become healthy in 60 s:\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
    String token = Files.readString(dataDir.resolve("admin-token")).trim();
    return new ForkedPortcullis(process, port, adminPort, log, token);
  }

  public int port() {
    return port;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /**
   * How many instances of a class are reachable in the process right now, from a class histogram (which
   * collects garbage first); empty when this JDK has no jcmd or it cannot attach.
   */
  public OptionalLong liveInstances(String className) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!Files.isExecutable(jcmd)) {
      return OptionalLong.empty();
    }
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.class_histogram")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      // e.g. attaching is not allowed in this container; the caller skips rather than fails
      System.err.println("jcmd GC.class_histogram failed:\n" + out);
      return OptionalLong.empty();
    }
    // Lines look like: "  10:  3000  408000  io.vertx.core.http.impl.HttpClientRequestImpl (module)"
    return OptionalLong.of(out.lines()
        .map(String::trim)
        .map(l -> l.split("\\s+"))
        .filter(f -> f.length >= 4 && f[3].equals(className))
        .mapToLong(f -> Long.parseLong(f[1]))
        .sum());
  }

  public String hostOf(String service) {
    return service + ".localhost:" + port;
  }

  public void createService(String name, String upstream) throws IOException, InterruptedException {
    createService(name, upstream, new JsonObject());
  }

  /** Creates a service with extra fields, e.g. {@code {"iap": true}}. */
  public void createService(String name, String upstream, JsonObject extra) throws IOException, InterruptedException {
    JsonObject body = extra.copy().put("name", name).put("upstream", upstream);
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/v1/services"))
        .header("authorization", "Bearer " + adminToken)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 201) {
      throw new AssertionError("creating service " + name + " failed: " + response.statusCode() + " " + response.body());
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** kill -9: the process gets no chance to flush or close anything. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /** Stops it as an operator would (SIGTERM), then forcibly if it does not exit in time. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
