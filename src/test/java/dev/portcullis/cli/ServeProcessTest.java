package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Upstreams;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real command in its own JVM: how it stops on SIGTERM, and how it refuses a bad configuration. */
class ServeProcessTest {
  @TempDir Path dir;
  Process process;

  @AfterEach
  void killLeftover() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  Process start(List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"),
        "dev.portcullis.Main"));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectOutput(dir.resolve("stdout.txt").toFile())
        .redirectError(dir.resolve("stderr.txt").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("PORTCULLIS_"));
    pb.environment().put("PORTCULLIS_DEMO_ENABLED", "false");
    process = pb.start();
    return process;
  }

  String output(String which) throws IOException {
    Path f = dir.resolve(which + ".txt");
    return Files.exists(f) ? Files.readString(f) : "";
  }

  void awaitHealthy(int adminPort) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/healthz")).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      assertThat(process.isAlive()).as("portcullis exited early: %s %s", output("stdout"), output("stderr")).isTrue();
      try {
        if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    throw new AssertionError("portcullis did not become healthy: " + output("stdout") + output("stderr"));
  }

  static boolean refusesConnections(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return false;
    } catch (ConnectException refused) {
      return true;
    } catch (IOException other) {
      return false;
    }
  }

  @Test
  void sigterm_drainsInFlightRequests_refusesNewConnections_andExitsZero() throws Exception {
    CountDownLatch upstreamGotRequest = new CountDownLatch(1);
    CompletableFuture<Void> release = new CompletableFuture<>();
    try (Upstreams upstreams = new Upstreams()) {
      // Answers 1.5 s after the request, and not before the test has seen new connections refused.
      String upstream = upstreams.http(req -> {
        upstreamGotRequest.countDown();
        long held = System.nanoTime();
        release.whenComplete((v, e) -> {
          long left = Math.max(1, 1500 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - held));
          upstreams.vertx().setTimer(left, t -> req.response().putHeader("content-type", "text/plain").end("slow done"));
        });
      });
      int port = freePort();
      int adminPort = freePort();
      Path data = dir.resolve("data");
      start(List.of("serve", "--listen", "127.0.0.1:" + port, "--admin-listen", "127.0.0.1:" + adminPort,
          "--data-dir", data.toString()));
      awaitHealthy(adminPort);
      String token = Files.readString(data.resolve("admin-token")).trim();
      HttpResponse<String> created = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/v1/services"))
              .header("authorization", "Bearer " + token)
              .POST(HttpRequest.BodyPublishers.ofString(
                  new JsonObject().put("name", "slow").put("upstream", upstream).encode()))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

      Socket inFlight = new Socket("127.0.0.1", port);
      inFlight.setSoTimeout(20_000);
      OutputStream requestOut = inFlight.getOutputStream();
      requestOut.write(("GET /report HTTP/1.1\r\nHost: slow.localhost:" + port + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      requestOut.flush();
      CompletableFuture<String> response = CompletableFuture.supplyAsync(() -> {
        try (InputStream in = inFlight.getInputStream()) {
          return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      assertThat(upstreamGotRequest.await(10, TimeUnit.SECONDS)).isTrue();

      process.destroy();

      boolean refused = false;
      for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); !refused && System.nanoTime() < deadline; ) {
        refused = refusesConnections(port);
        if (!refused) {
          Thread.sleep(20);
        }
      }
      assertThat(refused).as("new connections refused once shutdown began").isTrue();
      assertThat(response).as("the in-flight request is still waiting for its upstream").isNotDone();
      assertThat(process.isAlive()).as("still draining").isTrue();
      release.complete(null);

      String answer = response.get(15, TimeUnit.SECONDS);
      assertThat(answer).startsWith("HTTP/1.1 200").endsWith("slow done");
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("process exits after draining").isTrue();
      assertThat(process.exitValue()).as(output("stderr")).isZero();
      assertThat(output("stdout")).contains("stopping").contains("stopped");
      inFlight.close();
    }
  }

  @Test
  void badConfiguration_exits2WithOneLineNamingTheKey() throws Exception {
    Path config = Files.writeString(dir.resolve("portcullis.yaml"), "listen: 127.0.0.1:0\nshutdown:\n  timeout: 3x\n");

    start(List.of("serve", "--config", config.toString(), "--data-dir", dir.resolve("data").toString()));

    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(output("stderr").lines().toList()).containsExactly(
        "portcullis: configuration error: shutdown.timeout: '3x' is not valid; allowed: a duration such as 500ms, 30s, 5m");
    assertThat(output("stdout")).isEmpty();
    assertThat(dir.resolve("data")).doesNotExist();
  }
}
