package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Clients;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.NetServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WebSocket tunnel: what an upstream's 101 may not carry, and the frame follower. */
class WebSocketTunnelTest {
  @TempDir Path dir;

  @Test
  void anUpstreams101_cannotSetPortcullisCookies() throws Exception {
    try (Upstreams upstreams = new Upstreams(); TestPortcullis portcullis = TestPortcullis.start(dir)) {
      // A raw upstream that accepts the upgrade and tries to plant a Portcullis session cookie with it.
      NetServer raw = upstreams.vertx().createNetServer().connectHandler(so -> {
        Buffer head = Buffer.buffer();
        so.handler(data -> {
          head.appendBuffer(data);
          String text = head.toString(StandardCharsets.ISO_8859_1);
          if (!text.contains("\r\n\r\n")) {
            return;
          }
          String key = text.lines().filter(l -> l.toLowerCase().startsWith("sec-websocket-key:"))
              .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("");
          so.handler(null);
          so.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Accept: " + accept(key) + "\r\n"
              + "Set-Cookie: __Host-portcullis=planted; Path=/; Secure\r\nSet-Cookie: portcullis=planted; Path=/\r\n"
              + "Set-Cookie: app=kept; Path=/\r\n\r\n");
        });
      });
      int port = Clients.await(raw.listen(0, "127.0.0.1")).actualPort();
      portcullis.createService("sock", "http://127.0.0.1:" + port);
      WebSocket ws = Clients.run(upstreams.vertx(), () -> upstreams.vertx().createWebSocketClient().connect(
          new WebSocketConnectOptions().setHost("127.0.0.1").setPort(portcullis.port()).setURI("/")
              .addHeader("host", portcullis.hostOf("sock"))));
      assertThat(ws.headers().getAll("set-cookie")).containsExactly("app=kept; Path=/");
      ws.close();
    }
  }

  private static String accept(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1")
          .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void frames_followBoundariesAcrossChunks_andRefuseImpossibleLengths() {
    WebSocketTunnel.Frames f = new WebSocketTunnel.Frames();
    assertThat(f.atBoundary()).isTrue();
    // A 300-byte binary frame (16-bit length) split in three chunks, then a 2-byte text frame.
    Buffer frame = Buffer.buffer().appendByte((byte) 0x82).appendByte((byte) 126).appendShort((short) 300)
        .appendBytes(new byte[300]);
    Buffer small = Buffer.buffer().appendByte((byte) 0x81).appendByte((byte) 2).appendString("hi");
    assertThat(f.advance(frame.getBuffer(0, 3), 0)).isEqualTo(-1);
    assertThat(f.atBoundary()).isFalse();
    assertThat(f.advance(frame.getBuffer(3, 200), 0)).isEqualTo(-1);
    Buffer rest = frame.getBuffer(200, frame.length()).appendBuffer(small);
    assertThat(f.advance(rest, 0)).isEqualTo(frame.length() - 200);
    assertThat(f.atBoundary()).isTrue();
    assertThat(f.broken()).isFalse();
    // A masked frame (client style) with a 64-bit length is followed too.
    Buffer masked = Buffer.buffer().appendByte((byte) 0x82).appendByte((byte) (0x80 | 127)).appendLong(5)
        .appendInt(0x01020304).appendBytes(new byte[5]);
    assertThat(f.advance(masked, 0)).isEqualTo(masked.length());
    // The top bit of a 64-bit length set: no such frame.
    Buffer impossible = Buffer.buffer().appendByte((byte) 0x82).appendByte((byte) 127).appendLong(Long.MIN_VALUE);
    f.advance(impossible, 0);
    assertThat(f.broken()).isTrue();
  }

  @Test
  void closeFrame_carries4403AndTheReason() {
    Buffer b = WebSocketTunnel.closeFrame(LiveConnections.CLOSE_CODE, "access revoked");
    assertThat(b.getByte(0)).isEqualTo((byte) 0x88);
    assertThat(b.getByte(1)).isEqualTo((byte) (2 + "access revoked".length()));
    assertThat(b.getShort(2)).isEqualTo((short) 4403);
    assertThat(b.getString(4, b.length())).isEqualTo("access revoked");
  }
}
