package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTP/1.0 clients get unframed bodies streamed and ended by closing, not buffered whole. */
class Http10StreamingTest {
  @TempDir Path dir;

  @Test
  void http10Client_receivesChunkedUpstreamBodyAsItIsWritten() throws Exception {
    try (Upstreams upstreams = new Upstreams(); TestPortcullis p = TestPortcullis.start(dir)) {
      String upstream = upstreams.http(req -> {
        req.response().setChunked(true).putHeader("content-type", "text/plain");
        req.response().write("first\n");
        upstreams.vertx().setTimer(1500, t -> req.response().end("last\n"));
      });
      p.createService("stream", upstream);

      try (Socket socket = new Socket("127.0.0.1", p.port())) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET /feed HTTP/1.0\r\nHost: " + p.hostOf("stream") + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        long start = System.nanoTime();
        long firstAt = -1;
        int b;
        while ((b = in.read()) >= 0) {
          seen.write(b);
          if (firstAt < 0 && seen.toString(StandardCharsets.US_ASCII).contains("first\n")) {
            firstAt = System.nanoTime();
          }
        }
        long endAt = System.nanoTime();
        String response = seen.toString(StandardCharsets.US_ASCII);

        assertThat(response).startsWith("HTTP/1.0 200").doesNotContainIgnoringCase("transfer-encoding");
        assertThat(response).endsWith("first\nlast\n");
        // The first part arrived while the upstream was still writing: streamed, not buffered to the end.
        assertThat(firstAt).isPositive();
        assertThat((endAt - firstAt) / 1_000_000).isGreaterThan(700);
        assertThat((firstAt - start) / 1_000_000).isLessThan(1000);
      }
    }
  }
}
