package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Clients;
import dev.portcullis.testing.Clients.Reply;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** IAP's allow_http_options: CORS preflights pass without a session only where the service allows them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CorsPreflightTest {
  Upstreams upstreams;
  TestPortcullis portcullis;
  HttpClient client;
  final AtomicInteger reached = new AtomicInteger();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    portcullis = TestPortcullis.start(dir);
    client = upstreams.vertx().createHttpClient();
    var echo = Clients.echo();
    String upstream = upstreams.http(req -> {
      reached.incrementAndGet();
      echo.handle(req);
    });
    portcullis.createService("cors", upstream, new JsonObject().put("iap", true).put("allowHttpOptions", true));
    portcullis.createService("strict", upstream, new JsonObject().put("iap", true));
  }

  @BeforeEach
  void reset() {
    reached.set(0);
  }

  @AfterAll
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
  }

  RequestOptions preflight(String service) {
    return Clients.to(portcullis, service, HttpMethod.OPTIONS, "/api/items")
        .putHeader("origin", "https://app.example.com")
        .putHeader("access-control-request-method", "PUT")
        .putHeader("X-Portcullis-User-Email", "boss@example.com")
        .putHeader("x-goog-iap-jwt-assertion", "forged");
  }

  @Test
  void preflight_withAllowHttpOptions_reachesTheAppWithoutSession_andWithoutAnyIdentity() {
    Reply r = Clients.send(client, preflight("cors"));

    assertThat(r.status()).isEqualTo(200);
    assertThat(reached).hasValue(1);
    assertThat(r.json().getString("method")).isEqualTo("OPTIONS");
    assertThat(Clients.seenNames(r.json())).noneMatch(n -> n.startsWith("x-portcullis-") || n.startsWith("x-goog-"));
    assertThat(r.header("cache-control")).isNull();
  }

  @Test
  void preflight_withoutAllowHttpOptions_isRefusedBeforeTheApp() {
    Reply r = Clients.send(client, preflight("strict"));

    assertThat(r.status()).isEqualTo(401);
    assertThat(reached).hasValue(0);
  }

  @Test
  void optionsThatIsNotAPreflight_stillNeedsASession_evenWhereAllowed() {
    Reply noOrigin = Clients.send(client, Clients.to(portcullis, "cors", HttpMethod.OPTIONS, "/")
        .putHeader("access-control-request-method", "PUT"));
    Reply noMethod = Clients.send(client, Clients.to(portcullis, "cors", HttpMethod.OPTIONS, "/")
        .putHeader("origin", "https://app.example.com"));
    Reply get = Clients.send(client, Clients.to(portcullis, "cors", HttpMethod.GET, "/")
        .putHeader("origin", "https://app.example.com").putHeader("access-control-request-method", "GET"));

    assertThat(noOrigin.status()).isEqualTo(401);
    assertThat(noMethod.status()).isEqualTo(401);
    assertThat(get.status()).isEqualTo(401);
    assertThat(reached).hasValue(0);
  }
}
