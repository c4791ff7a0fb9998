package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Clients;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upstream's Date reaches the client as the upstream wrote it; a response without one gets one. */
class ResponseDateTest {
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

  @Test
  void upstreamDate_passesVerbatim() throws Exception {
    portcullis.createService("dated",
        upstreams.http(req -> req.response().putHeader("date", "Sun, 06 Nov 1994 08:49:37 GMT").end("ok")));

    Clients.Reply response = get("dated");

    assertThat(response.headers().getAll("date")).containsExactly("Sun, 06 Nov 1994 08:49:37 GMT");
  }

  @Test
  void responseWithoutDate_getsOne() throws Exception {
    portcullis.createService("undated", upstreams.http(req -> req.response().end("ok")));

    Clients.Reply response = get("undated");

    assertThat(response.headers().getAll("date")).singleElement().asString().endsWith(" GMT");
  }

  private Clients.Reply get(String service) {
    return Clients.send(client, Clients.to(portcullis, service, HttpMethod.GET, "/"));
  }
}
