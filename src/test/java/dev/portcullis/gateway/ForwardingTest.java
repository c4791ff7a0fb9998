package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForwardingTest {
  @TempDir Path dir;
  Upstreams upstreams;
  TestPortcullis portcullis;
  HttpClient client;

  @BeforeEach
  void start() throws Exception {
    upstreams = new Upstreams();
    portcullis = TestPortcullis.start(dir);
    client = upstreams.vertx().createHttpClient();
  }

  @AfterEach
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
  }

  record Exchange(HttpClientResponse response, JsonObject body) {}

  @Test
  void get_reachesUpstreamWithForwardingHeadersAndRequestId() throws Exception {
    String upstream = upstreams.http(req -> req.response().putHeader("content-type", "application/json")
        .end(new JsonObject()
            .put("path", req.uri())
            .put("xff", req.getHeader("x-forwarded-for"))
            .put("proto", req.getHeader("x-forwarded-proto"))
            .put("fhost", req.getHeader("x-forwarded-host"))
            .put("rid", req.getHeader("x-request-id")).encode()));
    portcullis.createService("dash", upstream);

    Exchange exchange = client.request(new RequestOptions()
            .setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(portcullis.port())
            .setURI("/reports?q=1").putHeader("host", portcullis.hostOf("dash")))
        .compose(r -> r.send())
        .compose(r -> r.body().map(b -> new Exchange(r, b.toJsonObject())))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    HttpClientResponse response = exchange.response();
    JsonObject seen = exchange.body();

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(seen.getString("path")).isEqualTo("/reports?q=1");
    assertThat(seen.getString("xff")).isEqualTo("127.0.0.1");
    assertThat(seen.getString("proto")).isEqualTo("http");
    assertThat(seen.getString("fhost")).isEqualTo(portcullis.hostOf("dash"));
    assertThat(seen.getString("rid")).hasSize(32).isEqualTo(response.getHeader("x-request-id"));
  }
}
