package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Clients;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.RawHttp.Reply;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which service a request is for. The requests are written byte for byte on a socket, since a real client
 * would not send two Host headers or a target naming another host.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostRoutingTest {
  Upstreams upstreams;
  TestPortcullis portcullis;
  final AtomicInteger upstreamRequests = new AtomicInteger();
  int port;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    portcullis = TestPortcullis.start(dir);
    port = portcullis.port();
    var echo = Clients.echo();
    portcullis.createService("dash", upstreams.http(req -> {
      upstreamRequests.incrementAndGet();
      echo.handle(req);
    }), new JsonObject().put("hosts", new JsonArray().add("dashboards.example.com")));
  }

  @BeforeEach
  void reset() {
    upstreamRequests.set(0);
  }

  @AfterAll
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
  }

  @Test
  void unknownHost_getsNotFoundPage() throws Exception {
    Reply reply = RawHttp.send(port, "GET / HTTP/1.1", "Host: nobody.localhost:" + port, "Connection: close");

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.header(Gateway.GENERATED_HEADER)).isEqualTo("true");
    assertThat(reply.json().getJsonObject("error").getString("status")).isEqualTo("NOT_FOUND");
    assertThat(reply.json().getJsonObject("error").getString("message")).contains("nobody.localhost");
  }

  @Test
  void serviceName_andExtraHostName_route() throws Exception {
    Reply primary = RawHttp.send(port, "GET /a HTTP/1.1", "Host: dash.localhost:" + port, "Connection: close");
    Reply custom = RawHttp.send(port, "GET /b HTTP/1.1", "Host: dashboards.example.com", "Connection: close");

    assertThat(primary.status()).isEqualTo(200);
    assertThat(primary.json().getString("uri")).isEqualTo("/a");
    assertThat(custom.status()).isEqualTo(200);
    assertThat(custom.json().getString("uri")).isEqualTo("/b");
  }

  @Test
  void mixedCaseAndTrailingDot_routeToTheService() throws Exception {
    Reply upper = RawHttp.send(port, "GET /upper HTTP/1.1", "Host: DASH.Localhost.:" + port, "Connection: close");
    Reply dotted = RawHttp.send(port, "GET /dotted HTTP/1.1", "Host: dash.localhost.", "Connection: close");

    assertThat(upper.status()).isEqualTo(200);
    assertThat(upper.json().getString("uri")).isEqualTo("/upper");
    assertThat(dotted.status()).isEqualTo(200);
    assertThat(dotted.json().getString("uri")).isEqualTo("/dotted");
  }

  @Test
  void absoluteFormWithTheSameHost_isForwardedInOriginForm() throws Exception {
    Reply reply = RawHttp.send(port, "GET http://Dash.localhost:" + port + "/path/x?q=1&r=%20 HTTP/1.1",
        "Host: dash.localhost:" + port, "Connection: close");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().getString("uri")).isEqualTo("/path/x?q=1&r=%20");
  }

  @Test
  void noHost_http10_isRefused() throws Exception {
    assertRefused(RawHttp.send(port, "GET / HTTP/1.0"));
  }

  @Test
  void noHost_http11_isRefused() throws Exception {
    assertRefused(RawHttp.send(port, "GET / HTTP/1.1", "Connection: close"));
  }

  @Test
  void twoHostHeaders_areRefused_whicheverComesFirst() throws Exception {
    assertRefused(RawHttp.send(port, "GET / HTTP/1.1", "Host: dash.localhost", "Host: other.localhost"));
    assertRefused(RawHttp.send(port, "GET / HTTP/1.1", "Host: other.localhost", "Host: dash.localhost"));
    assertRefused(RawHttp.send(port, "GET / HTTP/1.1", "Host: dash.localhost", "Host: dash.localhost"));
  }

  @Test
  void absoluteFormNamingAnotherHost_isRefused() throws Exception {
    assertRefused(RawHttp.send(port, "GET http://other.localhost/ HTTP/1.1", "Host: dash.localhost"));
    assertRefused(RawHttp.send(port, "GET http://dash.localhost@other.localhost/ HTTP/1.1", "Host: dash.localhost"));
  }

  @Test
  void invalidHost_isRefused() throws Exception {
    assertRefused(RawHttp.send(port, "GET / HTTP/1.1", "Host: a b"));
    assertRefused(RawHttp.send(port, "GET / HTTP/1.1", "Host: evil.com@dash.localhost"));
    assertRefused(RawHttp.send(port, "GET / HTTP/1.1", "Host: dash.localhost:http"));
    assertRefused(RawHttp.send(port, "GET / HTTP/1.1", "Host: dash.localhost/x"));
    assertRefused(RawHttp.send(port, "GET / HTTP/1.1", "Host: "));
  }

  private void assertRefused(Reply reply) {
    assertThat(reply.status()).as(reply.statusLine()).isEqualTo(400);
    assertThat(upstreamRequests.get()).as("requests that reached the upstream").isZero();
  }
}
