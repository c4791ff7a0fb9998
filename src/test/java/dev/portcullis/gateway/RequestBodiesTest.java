package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Clients;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests without a body (no Content-Length, no Transfer-Encoding) skip the body pipe; those with one
 * stream it. Both kinds, mixed on one kept-alive connection, reach the upstream exactly as sent.
 */
class RequestBodiesTest {
  @TempDir Path dir;
  Upstreams upstreams;
  TestPortcullis portcullis;
  HttpClient client;

  @BeforeEach
  void start() throws Exception {
    upstreams = new Upstreams();
    portcullis = TestPortcullis.start(dir);
    // One connection, so every exchange below reuses it.
    client = upstreams.vertx().createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(1));
    portcullis.createService("echo", upstreams.http(req -> req.body().onSuccess(body ->
        req.response().putHeader("content-type", "application/json").end(new JsonObject()
            .put("method", req.method().name())
            .put("length", req.getHeader("content-length"))
            .put("chunked", req.getHeader("transfer-encoding"))
            .put("body", body.toString()).encode()))));
  }

  @AfterEach
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
  }

  private JsonObject send(HttpMethod method, String body, boolean chunked) {
    // On a Vert.x context, so that the body handler is in place before the response can arrive.
    Clients.Reply reply = Clients.run(upstreams.vertx(), () -> client.request(new RequestOptions()
            .setMethod(method).setHost("127.0.0.1").setPort(portcullis.port()).setURI("/")
            .putHeader("host", portcullis.hostOf("echo")))
        .compose(r -> {
          if (body == null) {
            return r.send();
          }
          r.setChunked(chunked);
          return r.send(Buffer.buffer(body));
        })
        .compose(r -> r.body().map(b -> new Clients.Reply(r.statusCode(), r.version(), r.headers(), b))));
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    return reply.json();
  }

  @Test
  void bodilessAndBodiedRequests_mixedOnOneConnection() throws Exception {
    for (int i = 0; i < 5; i++) {
      JsonObject get = send(HttpMethod.GET, null, false);
      assertThat(get.getString("method")).isEqualTo("GET");
      assertThat(get.getString("length")).isNull();
      assertThat(get.getString("chunked")).isNull();
      assertThat(get.getString("body")).isEmpty();

      JsonObject post = send(HttpMethod.POST, "hello " + i, false);
      assertThat(post.getString("length")).isEqualTo(Integer.toString(("hello " + i).length()));
      assertThat(post.getString("body")).isEqualTo("hello " + i);

      JsonObject chunked = send(HttpMethod.PUT, "chunk " + i, true);
      assertThat(chunked.getString("chunked")).isEqualTo("chunked");
      assertThat(chunked.getString("body")).isEqualTo("chunk " + i);

      JsonObject empty = send(HttpMethod.POST, "", false);
      assertThat(empty.getString("length")).isEqualTo("0");
      assertThat(empty.getString("body")).isEmpty();
    }
  }
}
