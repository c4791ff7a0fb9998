package dev.portcullis.gateway;

import static dev.portcullis.testing.Clients.seen;
import static dev.portcullis.testing.Clients.seenNames;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Clients;
import dev.portcullis.testing.Clients.Reply;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Plain HTTP/1.1 forwarding: what reaches the upstream, what comes back, and what never crosses. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForwardingTest {
  Upstreams upstreams;
  TestPortcullis portcullis;
  HttpClient client;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    portcullis = TestPortcullis.start(dir);
    client = upstreams.vertx().createHttpClient();
  }

  @AfterAll
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
  }

  @Test
  void get_reachesUpstreamWithForwardingHeadersAndRequestId() {
    String upstream = upstreams.http(req -> req.response().putHeader("content-type", "application/json")
        .end(new JsonObject()
            .put("path", req.uri())
            .put("xff", req.getHeader("x-forwarded-for"))
            .put("proto", req.getHeader("x-forwarded-proto"))
            .put("fhost", req.getHeader("x-forwarded-host"))
            .put("rid", req.getHeader("x-request-id")).encode()));
    portcullis.createService("getter", upstream);

    Reply reply = Clients.send(client, Clients.to(portcullis, "getter", HttpMethod.GET, "/reports?q=1"));
    JsonObject seen = reply.json();

    assertThat(reply.status()).isEqualTo(200);
    assertThat(seen.getString("path")).isEqualTo("/reports?q=1");
    assertThat(seen.getString("xff")).isEqualTo("127.0.0.1");
    assertThat(seen.getString("proto")).isEqualTo("http");
    assertThat(seen.getString("fhost")).isEqualTo(portcullis.hostOf("getter"));
    assertThat(seen.getString("rid")).hasSize(32).isEqualTo(reply.header("x-request-id"));
  }

  @Test
  void post_bodyHeadersAndQueryArrive_statusHeadersAndBodyComeBack() {
    String upstream = upstreams.http(req -> req.body().onSuccess(body -> req.response()
        .setStatusCode(201)
        .putHeader("content-type", "application/json")
        .putHeader("location", "/items/7")
        .putHeader("x-upstream", "yes")
        .end(new JsonObject()
            .put("method", req.method().name())
            .put("uri", req.uri())
            .put("contentType", req.getHeader("content-type"))
            .put("custom", req.headers().getAll("x-custom"))
            .put("body", body.toString()).encode())));
    portcullis.createService("poster", upstream);
    String payload = "{\"name\":\"a thing\",\"size\":" + "9".repeat(5000) + "}";

    Reply reply = Clients.send(client, Clients.to(portcullis, "poster", HttpMethod.POST, "/items?x=1&y=two%20words&x=3")
            .putHeader("content-type", "application/json")
            .addHeader("x-custom", "first")
            .addHeader("x-custom", "second"),
        Buffer.buffer(payload));
    JsonObject seen = reply.json();

    assertThat(reply.status()).isEqualTo(201);
    assertThat(reply.header("location")).isEqualTo("/items/7");
    assertThat(reply.header("x-upstream")).isEqualTo("yes");
    assertThat(reply.header("content-type")).isEqualTo("application/json");
    assertThat(seen.getString("method")).isEqualTo("POST");
    assertThat(seen.getString("uri")).isEqualTo("/items?x=1&y=two%20words&x=3");
    assertThat(seen.getString("contentType")).isEqualTo("application/json");
    assertThat(seen.getJsonArray("custom").getList()).containsExactly("first", "second");
    assertThat(seen.getString("body")).isEqualTo(payload);
  }

  @Test
  void errorStatusesAndEmptyBodiesFromUpstream_passThroughUnchanged() {
    String upstream = upstreams.http(req -> {
      switch (req.path()) {
        case "/teapot" -> req.response().setStatusCode(418).putHeader("content-type", "text/plain").end("short and stout");
        case "/empty" -> req.response().setStatusCode(204).end();
        default -> req.response().setStatusCode(500).end("upstream broke");
      }
    });
    portcullis.createService("statuses", upstream);

    Reply teapot = Clients.send(client, Clients.to(portcullis, "statuses", HttpMethod.GET, "/teapot"));
    Reply empty = Clients.send(client, Clients.to(portcullis, "statuses", HttpMethod.DELETE, "/empty"));
    Reply broken = Clients.send(client, Clients.to(portcullis, "statuses", HttpMethod.GET, "/other"));

    assertThat(teapot.status()).isEqualTo(418);
    assertThat(teapot.text()).isEqualTo("short and stout");
    assertThat(empty.status()).isEqualTo(204);
    assertThat(empty.body().length()).isZero();
    assertThat(broken.status()).isEqualTo(500);
    assertThat(broken.text()).isEqualTo("upstream broke");
    // The upstream's own 500 is its answer, not a page of ours.
    assertThat(broken.header(Gateway.GENERATED_HEADER)).isNull();
  }

  @Test
  void headAndNotModified_passThroughWithoutBodies() throws Exception {
    String upstream = upstreams.http(req -> {
      if (req.getHeader("if-none-match") != null) {
        req.response().setStatusCode(304).putHeader("etag", "\"v1\"").end();
      } else {
        req.response().putHeader("content-length", "1234").putHeader("etag", "\"v1\"").end();
      }
    });
    portcullis.createService("heads", upstream);

    RawHttp.Reply head = RawHttp.send(portcullis.port(),
        "HEAD /file HTTP/1.1", "Host: " + portcullis.hostOf("heads"), "Connection: close");
    RawHttp.Reply notModified = RawHttp.send(portcullis.port(),
        "GET /file HTTP/1.1", "Host: " + portcullis.hostOf("heads"), "If-None-Match: \"v1\"", "Connection: close");

    assertThat(head.status()).isEqualTo(200);
    assertThat(head.header("content-length")).isEqualTo("1234");
    assertThat(head.body()).isEmpty();
    assertThat(head.header("etag")).isEqualTo("\"v1\"");
    assertThat(notModified.status()).isEqualTo(304);
    assertThat(notModified.header("etag")).isEqualTo("\"v1\"");
  }

  @Test
  void hopByHop_requestHeadersNeverReachUpstream() throws Exception {
    portcullis.createService("hops", upstreams.http(Clients.echo()));

    RawHttp.Reply reply = RawHttp.send(portcullis.port(),
        "GET /hop HTTP/1.1",
        "Host: " + portcullis.hostOf("hops"),
        "Connection: x-custom, close",
        "X-Custom: named in Connection",
        "Keep-Alive: timeout=5, max=100",
        "TE: trailers",
        "Trailer: x-checksum",
        "Proxy-Connection: keep-alive",
        "Proxy-Authorization: Basic c2VjcmV0OnNlY3JldA==",
        "X-Kept: end-to-end");
    JsonObject seen = reply.json();

    assertThat(reply.status()).isEqualTo(200);
    assertThat(seenNames(seen)).doesNotContain("x-custom", "keep-alive", "te", "trailer", "proxy-connection",
        "proxy-authorization");
    assertThat(seen(seen, "connection")).noneMatch(v -> v.toLowerCase().contains("x-custom"));
    assertThat(seen(seen, "x-kept")).containsExactly("end-to-end");
  }

  @Test
  void hopByHop_upstreamsHopByHopHeadersNeverReachClient() throws Exception {
    String upstream = upstreams.http(req -> req.response()
        .putHeader("Connection", "x-up")
        .putHeader("x-up", "1")
        .putHeader("Keep-Alive", "timeout=5")
        .putHeader("Proxy-Connection", "keep-alive")
        .putHeader("Upgrade", "h2c")
        .putHeader("Trailer", "x-checksum")
        .putHeader("x-stays", "1")
        .end("ok"));
    portcullis.createService("uphops", upstream);

    RawHttp.Reply reply = RawHttp.send(portcullis.port(),
        "GET / HTTP/1.1",
        "Host: " + portcullis.hostOf("uphops"),
        "Connection: close");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.bodyText()).isEqualTo("ok");
    assertThat(reply.headerNames()).doesNotContain("x-up", "keep-alive", "proxy-connection", "upgrade", "trailer");
    assertThat(reply.headers("connection")).noneMatch(v -> v.toLowerCase().contains("x-up"));
    assertThat(reply.header("x-stays")).isEqualTo("1");
  }

  @Test
  void http10Client_chunkedUpstreamBody_isStreamedAndEndedByClosingTheConnection() throws Exception {
    String upstream = upstreams.http(req -> {
      var response = req.response().setChunked(true).putHeader("content-type", "text/plain");
      response.write("part one;");
      response.end("part two");
    });
    portcullis.createService("old-client", upstream);

    // Asking for keep-alive: the connection must still be closed, or the client cannot tell where the body ends.
    RawHttp.Reply keepAlive = RawHttp.send(portcullis.port(),
        "GET / HTTP/1.0", "Host: " + portcullis.hostOf("old-client"), "Connection: keep-alive");
    RawHttp.Reply plain = RawHttp.send(portcullis.port(), "GET / HTTP/1.0", "Host: " + portcullis.hostOf("old-client"));

    for (RawHttp.Reply reply : List.of(keepAlive, plain)) {
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.header("transfer-encoding")).isNull();
      assertThat(reply.header("content-type")).isEqualTo("text/plain");
      assertThat(reply.bodyText()).isEqualTo("part one;part two");
    }
    assertThat(keepAlive.header("connection")).isEqualToIgnoringCase("close");
  }

  @Test
  void requestId_clientSuppliedOneIsReplacedAndEveryResponseCarriesOne() {
    String upstream = upstreams.http(req -> req.response()
        .putHeader("x-request-id", "chosen-by-the-upstream")
        .end(String.valueOf(req.getHeader("x-request-id"))));
    portcullis.createService("ids", upstream);

    Reply first = Clients.send(client, Clients.to(portcullis, "ids", HttpMethod.GET, "/")
        .putHeader("x-request-id", "chosen-by-the-client-1234"));
    Reply second = Clients.send(client, Clients.to(portcullis, "ids", HttpMethod.GET, "/"));

    assertThat(first.text()).matches("[0-9a-f]{32}").isEqualTo(first.header("x-request-id"));
    assertThat(first.headers().getAll("x-request-id")).hasSize(1);
    assertThat(second.text()).matches("[0-9a-f]{32}").isEqualTo(second.header("x-request-id"))
        .isNotEqualTo(first.text());
  }

  @Test
  void requestId_isOnTheNotFoundPage() {
    Reply json = Clients.send(client, Clients.to(portcullis, "nobody-here", HttpMethod.GET, "/")
        .putHeader("x-request-id", "chosen-by-the-client-1234"));
    Reply html = Clients.send(client, Clients.to(portcullis, "nobody-here", HttpMethod.GET, "/")
        .putHeader("accept", "text/html,application/xhtml+xml"));

    assertThat(json.status()).isEqualTo(404);
    assertThat(json.header(Gateway.GENERATED_HEADER)).isEqualTo("true");
    assertThat(json.header("x-request-id")).matches("[0-9a-f]{32}");
    assertThat(json.json().getString("request_id")).isEqualTo(json.header("x-request-id"));
    assertThat(json.json().getJsonObject("error").getString("status")).isEqualTo("NOT_FOUND");
    assertThat(html.status()).isEqualTo(404);
    assertThat(html.header("content-type")).startsWith("text/html");
    assertThat(html.text()).contains(html.header("x-request-id"));
  }

  @Test
  void sequentialRequests_reusePooledUpstreamConnections() {
    Set<String> connections = ConcurrentHashMap.newKeySet();
    String upstream = upstreams.http(req -> {
      connections.add(req.remoteAddress().toString());
      req.response().end("ok");
    });
    portcullis.createService("pooled", upstream);

    for (int i = 0; i < 20; i++) {
      assertThat(Clients.send(client, Clients.to(portcullis, "pooled", HttpMethod.GET, "/" + i)).status()).isEqualTo(200);
    }

    // One client connection, one request at a time: each request reuses a kept-alive upstream connection
    // (Portcullis runs an event loop per core, so allow a few).
    assertThat(connections.size()).isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors());
  }
}
