package dev.portcullis.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestPortcullis;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paths that the router would normalize to another endpoint than the one permissions and audit are
 * decided for are refused before anything else: "..", ".", encoded dots, empty segments, backslashes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminPathTricksTest {
  @TempDir static Path dir;
  TestPortcullis portcullis;

  @BeforeAll
  void start() throws Exception {
    portcullis = TestPortcullis.start(dir.resolve("data"));
    portcullis.createService("victim", "http://127.0.0.1:9", new JsonObject().put("iap", true));
  }

  @AfterAll
  void stop() {
    portcullis.close();
  }

  private int send(String method, String rawPath, String body) throws Exception {
    String b = body == null ? "" : body;
    RawHttp.Reply r = RawHttp.sendBytes(portcullis.adminPort(), (method + " " + rawPath + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\nAuthorization: Bearer " + portcullis.adminToken() + "\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + b.length() + "\r\nConnection: close\r\n\r\n" + b)
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return r.status();
  }

  @Test
  void dotSegmentsAndOtherTricks_areRefused_andChangeNothing() throws Exception {
    String off = "{\"iap\": false}";
    assertThat(send("PATCH", "/v1/groups/../services/victim", off)).isEqualTo(400);
    assertThat(send("PATCH", "/v1/groups/%2e%2e/services/victim", off)).isEqualTo(400);
    assertThat(send("PATCH", "/v1/./services/victim", off)).isEqualTo(400);
    assertThat(send("PATCH", "/v1//services/victim", off)).isEqualTo(400);
    assertThat(send("DELETE", "/v1/sessions/%2E%2E/services/victim", null)).isEqualTo(400);
    assertThat(send("POST", "/v1/sessions/..%5Ckeys:rotate", null)).isEqualTo(400);
    JsonObject victim = portcullis.admin("GET", "/v1/services/victim", null).body();
    assertThat(victim.getBoolean("iap")).isTrue();
    // The plain path still works.
    assertThat(send("PATCH", "/v1/services/victim", off)).isEqualTo(200);
    assertThat(portcullis.admin("GET", "/v1/services/victim", null).body().getBoolean("iap")).isFalse();
  }
}
