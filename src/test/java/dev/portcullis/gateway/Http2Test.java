package dev.portcullis.gateway;

import static dev.portcullis.testing.Clients.seen;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Clients;
import dev.portcullis.testing.Clients.Reply;
import dev.portcullis.testing.SelfSignedCertificate;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** HTTP/2 clients end to end: h2c with prior knowledge or by upgrade, and h2 over TLS by ALPN; HTTP/1.1 upstream. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Http2Test {
  Upstreams upstreams;
  TestPortcullis plain;
  TestPortcullis tls;
  HttpClient h2c;
  HttpClient h2cUpgrade;
  HttpClient h2;
  HttpClient http1OverTls;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    String echo = upstreams.http(Clients.echo());
    plain = TestPortcullis.start(Files.createDirectories(dir.resolve("plain")));
    plain.createService("app", echo);
    SelfSignedCertificate cert = SelfSignedCertificate.write(dir);
    tls = TestPortcullis.start(Files.createDirectories(dir.resolve("tls")), Map.of(
        "tls.cert_file", cert.certFile().toString(), "tls.key_file", cert.keyFile().toString()));
    tls.createService("app", echo);

    var vertx = upstreams.vertx();
    h2c = vertx.createHttpClient(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    h2cUpgrade = vertx.createHttpClient(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(true));
    h2 = vertx.createHttpClient(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2).setSsl(true).setUseAlpn(true).setTrustAll(true).setVerifyHost(false));
    http1OverTls = vertx.createHttpClient(new HttpClientOptions()
        .setSsl(true).setUseAlpn(true).setTrustAll(true).setVerifyHost(false));
  }

  @AfterAll
  void stop() throws Exception {
    plain.close();
    tls.close();
    upstreams.close();
  }

  @Test
  void h2cPriorKnowledge_get_isForwardedToTheHttp11Upstream() {
    Reply reply = Clients.send(h2c, Clients.to(plain, "app", HttpMethod.GET, "/h2c?x=1"));
    JsonObject seen = reply.json();

    assertThat(reply.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(seen.getString("version")).isEqualTo("HTTP_1_1");
    assertThat(seen.getString("uri")).isEqualTo("/h2c?x=1");
    assertThat(seen(seen, "x-forwarded-proto")).containsExactly("http");
    assertThat(seen(seen, "x-forwarded-host")).containsExactly(plain.hostOf("app"));
    // A request without a body is sent upstream without one, not as an empty chunked body.
    assertThat(seen(seen, "transfer-encoding")).isEmpty();
    assertThat(seen.getString("body")).isEmpty();
  }

  @Test
  void h2cUpgrade_get_isForwarded() {
    Reply reply = Clients.send(h2cUpgrade, Clients.to(plain, "app", HttpMethod.GET, "/upgraded"));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().getString("uri")).isEqualTo("/upgraded");
  }

  @Test
  void h2cPriorKnowledge_postWithoutContentLength_isStreamedChunkedToTheUpstream() {
    String body = streamedPost(h2c, plain);

    JsonObject seen = new JsonObject(body);
    assertThat(seen.getString("body")).isEqualTo(expectedPostBody());
    assertThat(seen(seen, "transfer-encoding")).containsExactly("chunked");
    assertThat(seen(seen, "content-length")).isEmpty();
  }

  @Test
  void h2cPriorKnowledge_postWithContentLength_keepsIt() {
    String payload = "a=1&b=2";
    Reply reply = Clients.send(h2c, Clients.to(plain, "app", HttpMethod.POST, "/form")
        .putHeader("content-type", "application/x-www-form-urlencoded"), Buffer.buffer(payload));
    JsonObject seen = reply.json();

    assertThat(reply.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(seen.getString("body")).isEqualTo(payload);
    assertThat(seen(seen, "content-length")).containsExactly(Integer.toString(payload.length()));
  }

  @Test
  void tlsWithAlpn_negotiatesHttp2_andForwardsAsHttps() {
    Reply reply = Clients.send(h2, Clients.to(tls, "app", HttpMethod.GET, "/secure"));
    JsonObject seen = reply.json();

    assertThat(reply.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(seen.getString("uri")).isEqualTo("/secure");
    assertThat(seen(seen, "x-forwarded-proto")).containsExactly("https");
  }

  @Test
  void tlsWithAlpn_postWithoutContentLength_isStreamedToTheUpstream() {
    JsonObject seen = new JsonObject(streamedPost(h2, tls));

    assertThat(seen.getString("body")).isEqualTo(expectedPostBody());
    assertThat(seen(seen, "transfer-encoding")).containsExactly("chunked");
  }

  @Test
  void tlsWithAlpn_http11ClientsAreServedToo() {
    Reply reply = Clients.send(http1OverTls, Clients.to(tls, "app", HttpMethod.GET, "/old"));

    assertThat(reply.version()).isEqualTo(HttpVersion.HTTP_1_1);
    assertThat(reply.json().getString("uri")).isEqualTo("/old");
    assertThat(seen(reply.json(), "x-forwarded-proto")).containsExactly("https");
  }

  /** An HTTP/2 POST whose body is written in parts, with no content-length; returns the upstream's answer. */
  private String streamedPost(HttpClient client, TestPortcullis portcullis) {
    Reply r = Clients.run(upstreams.vertx(), () -> client.request(Clients.to(portcullis, "app", HttpMethod.POST, "/upload"))
        .compose(req -> {
          req.setChunked(true);
          for (int i = 0; i < 50; i++) {
            req.write(part(i));
          }
          req.end();
          return req.response();
        })
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.version(), resp.headers(), b))));
    assertThat(r.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(r.status()).isEqualTo(200);
    return r.text();
  }

  private static String part(int i) {
    return "part " + i + ": " + "x".repeat(1000) + "\n";
  }

  private static String expectedPostBody() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      b.append(part(i));
    }
    return b.toString();
  }
}
