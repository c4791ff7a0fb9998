package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portcullis.testing.Clients;
import dev.portcullis.testing.ForkedPortcullis;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Portcullis in its own JVM with a 64 MiB heap (and so, for Netty, at most 64 MiB of direct memory) that
 * exits on the first OutOfMemoryError. 100 MiB bodies go through it both ways: a body held whole anywhere on
 * the way would kill it. The bodies are generated as they are sent and checked with a CRC as they arrive;
 * neither end keeps one. And exchanges that have finished must leave nothing reachable behind them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BoundedHeapTest {
  static final long SIZE = 100L * 1024 * 1024;
  static final int CHUNK = 64 * 1024;

  Path dir;
  Upstreams upstreams;
  ForkedPortcullis portcullis;
  HttpClient client;
  String sink;
  String source;
  String chunkedSource;
  String small;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    this.dir = dir;
    upstreams = new Upstreams();
    client = upstreams.vertx().createHttpClient();
    sink = upstreams.http(BoundedHeapTest::countingSink);
    source = upstreams.http(req -> generate(req.response(), true));
    chunkedSource = upstreams.http(req -> generate(req.response(), false));
    small = upstreams.http(req -> req.response().end("ok"));
    portcullisRunning();
  }

  /** One Portcullis for the class; a test that kills it must not fail the others too. */
  @BeforeEach
  void portcullisRunning() throws Exception {
    if (portcullis != null && portcullis.isAlive()) {
      return;
    }
    portcullis = ForkedPortcullis.start(Files.createTempDirectory(dir, "data"),
        List.of("-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "--enable-native-access=ALL-UNNAMED"));
    portcullis.createService("sink", sink);
    portcullis.createService("source", source);
    portcullis.createService("chunked-source", chunkedSource);
    portcullis.createService("small", small);
  }

  @AfterEach
  void stillAlive() {
    assertThat(portcullis.isAlive()).as("portcullis is still running; its log:\n%s", portcullis.log()).isTrue();
  }

  @AfterAll
  void stop() throws Exception {
    if (portcullis != null) {
      portcullis.close();
    }
    upstreams.close();
  }

  @Test
  void upload_withContentLength_streamsWithBoundedHeap() throws Exception {
    RawHttp.Reply reply = upload("Content-Length: " + SIZE, false);

    assertThat(reply.status()).as(reply.bodyText()).isEqualTo(200);
    assertThat(reply.json().getLong("bytes")).isEqualTo(SIZE);
    assertThat(reply.json().getLong("crc")).isEqualTo(expectedCrc());
  }

  @Test
  void upload_chunked_streamsWithBoundedHeap() throws Exception {
    RawHttp.Reply reply = upload("Transfer-Encoding: chunked", true);

    assertThat(reply.status()).as(reply.bodyText()).isEqualTo(200);
    assertThat(reply.json().getLong("bytes")).isEqualTo(SIZE);
    assertThat(reply.json().getLong("crc")).isEqualTo(expectedCrc());
  }

  @Test
  void download_streamsWithBoundedHeap() {
    Counted counted = download("source");

    assertThat(counted.status()).isEqualTo(200);
    assertThat(counted.bytes()).isEqualTo(SIZE);
    assertThat(counted.crc()).isEqualTo(expectedCrc());
  }

  @Test
  void download_chunked_streamsWithBoundedHeap() {
    Counted counted = download("chunked-source");

    assertThat(counted.status()).isEqualTo(200);
    assertThat(counted.bytes()).isEqualTo(SIZE);
    assertThat(counted.crc()).isEqualTo(expectedCrc());
  }

  @Test
  void download_chunked_toAnHttp10Client_streamsWithBoundedHeap() throws Exception {
    // HTTP/1.0 has no chunked encoding: a body of unknown length is delimited by closing the connection.
    // (nginx talks HTTP/1.0 to its upstreams unless told otherwise, so this is a load balancer in front.)
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), portcullis.port())) {
      socket.setSoTimeout(60_000);
      socket.getOutputStream().write(("GET /big HTTP/1.0\r\nHost: " + portcullis.hostOf("chunked-source")
          + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = new BufferedInputStream(socket.getInputStream(), CHUNK);
      RawHttp.Reply head = RawHttp.readHead(in);
      CRC32 crc = new CRC32();
      long bytes = 0;
      byte[] buffer = new byte[CHUNK];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        crc.update(buffer, 0, n);
        bytes += n;
      }

      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("transfer-encoding")).isNull();
      assertThat(bytes).isEqualTo(SIZE);
      assertThat(crc.getValue()).isEqualTo(expectedCrc());
    }
  }

  @Test
  void finishedExchanges_leaveNothingReachableBehind() throws Exception {
    // With the default idle timeout of 300 s: a timer armed per exchange and left running after the
    // response has ended would keep every one of these exchanges in memory for five minutes.
    RequestOptions options = new RequestOptions()
        .setServer(SocketAddress.inetSocketAddress(portcullis.port(), "127.0.0.1"))
        .setHost("small.localhost").setPort(portcullis.port())
        .setMethod(HttpMethod.GET).setURI("/");
    for (int i = 0; i < 500; i++) {
      int status = Clients.run(upstreams.vertx(), () -> client.request(options).compose(r -> r.send())
          .compose(r -> r.body().map(b -> r.statusCode())));
      assertThat(status).isEqualTo(200);
    }

    OptionalLong live = portcullis.liveInstances("io.vertx.core.http.impl.HttpClientRequestImpl");
    assumeTrue(live.isPresent(), "no class histogram: this JDK has no jcmd, or it cannot attach");
    assertThat(live.getAsLong()).as("upstream requests still reachable after 500 finished exchanges")
        .isLessThan(50);
  }

  /** Sends SIZE generated bytes on a socket, framed by the given header, and reads the sink's answer. */
  private RawHttp.Reply upload(String framing, boolean chunked) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), portcullis.port())) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /upload HTTP/1.1\r\nHost: " + portcullis.hostOf("sink") + "\r\n" + framing
          + "\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      byte[] chunk = new byte[CHUNK];
      for (long sent = 0; sent < SIZE; sent += CHUNK) {
        fill(chunk, sent);
        if (chunked) {
          out.write((Integer.toHexString(CHUNK) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        out.write(chunk);
        if (chunked) {
          out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
      }
      if (chunked) {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      }
      out.flush();
      return RawHttp.read(new BufferedInputStream(socket.getInputStream()));
    }
  }

  record Counted(int status, long bytes, long crc) {}

  private Counted download(String service) {
    RequestOptions options = new RequestOptions()
        .setServer(SocketAddress.inetSocketAddress(portcullis.port(), "127.0.0.1"))
        .setHost(service + ".localhost").setPort(portcullis.port())
        .setMethod(HttpMethod.GET).setURI("/big");
    return Clients.run(upstreams.vertx(), () -> client.request(options).compose(req -> req.send()).compose(resp -> {
      Promise<Counted> done = Promise.promise();
      CRC32 crc = new CRC32();
      long[] bytes = {0};
      resp.handler(b -> {
        crc.update(b.getBytes());
        bytes[0] += b.length();
      });
      resp.exceptionHandler(done::tryFail);
      resp.endHandler(v -> done.tryComplete(new Counted(resp.statusCode(), bytes[0], crc.getValue())));
      return done.future();
    }), 120);
  }

  /** Counts and checksums a request body as it arrives and answers with both. */
  private static void countingSink(io.vertx.core.http.HttpServerRequest req) {
    CRC32 crc = new CRC32();
    long[] bytes = {0};
    req.handler(b -> {
      crc.update(b.getBytes());
      bytes[0] += b.length();
    });
    req.endHandler(v -> req.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("bytes", bytes[0]).put("crc", crc.getValue()).encode()));
  }

  /** Writes SIZE generated bytes as the upstream's response, at the pace the connection takes them. */
  private static void generate(HttpServerResponse response, boolean withLength) {
    if (withLength) {
      response.putHeader("content-length", Long.toString(SIZE));
    } else {
      response.setChunked(true);
    }
    response.putHeader("content-type", "application/octet-stream");
    long[] sent = {0};
    Runnable[] pump = new Runnable[1];
    pump[0] = () -> {
      if (response.ended()) {
        return;
      }
      while (sent[0] < SIZE && !response.writeQueueFull()) {
        byte[] chunk = new byte[CHUNK];
        fill(chunk, sent[0]);
        response.write(Buffer.buffer(chunk));
        sent[0] += CHUNK;
      }
      if (sent[0] < SIZE) {
        response.drainHandler(v -> pump[0].run());
      } else {
        response.end();
      }
    };
    pump[0].run();
  }

  /** The bytes of the body at {@code offset}: a pattern that a reordering or a lost chunk would change. */
  private static void fill(byte[] chunk, long offset) {
    for (int i = 0; i < chunk.length; i++) {
      long p = offset + i;
      chunk[i] = (byte) (p ^ (p >>> 16) ^ (p >>> 24));
    }
  }

  private static long expected = -1;

  private static synchronized long expectedCrc() {
    if (expected < 0) {
      CRC32 crc = new CRC32();
      byte[] chunk = new byte[CHUNK];
      for (long off = 0; off < SIZE; off += CHUNK) {
        fill(chunk, off);
        crc.update(chunk);
      }
      expected = crc.getValue();
    }
    return expected;
  }
}
