package dev.portcullis.iam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.session.Sessions;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When a snapshot cannot be rebuilt after a change was written, decisions deny (the old snapshot could
 * still grant what the change took away) until a rebuild succeeds again.
 */
class FailClosedTest {
  @Test
  void aFailedRebuild_deniesUntilTheStoreAnswersAgain(@TempDir Path dir) throws Exception {
    try (Upstreams upstreams = new Upstreams();
         TestPortcullis p = TestPortcullis.start(dir.resolve("data"))) {
      p.createService("app", upstreams.http(req -> req.response().end("ok")), new JsonObject().put("iap", true));
      assertThat(p.admin("POST", "/v1/groups", new JsonObject().put("email", "team@example.com")).status())
          .isEqualTo(201);
      assertThat(p.admin("POST", "/v1/groups/team@example.com/members", new JsonObject()
          .put("member", "user:fay@example.com")).status()).isEqualTo(201);
      p.grant("projects/default", PredefinedRoles.ACCESSOR, "group:team@example.com");
      var user = p.portcullis().accounts().orElseThrow().create("fay@example.com", Optional.empty(),
          "a long enough password");
      Sessions sessions = p.portcullis().sessions();
      String cookie = sessions.createForHost(sessions.createCentral(user.identity(),
          p.portcullis().settings().authHost(), null, "127.0.0.1", "t").session(), "app.localhost", "127.0.0.1", "t")
          .orElseThrow().cookieValue();
      assertThat(status(p, cookie)).isEqualTo(200);

      String url = "jdbc:sqlite:" + dir.resolve("data").resolve("portcullis.db");
      // The policy rebuild reads custom roles; the write of an unrelated policy does not.
      sql(url, "ALTER TABLE custom_roles RENAME TO custom_roles_away");
      assertThat(p.admin("POST", "/v1/projects/other:setIamPolicy", new JsonObject().put("policy",
          new JsonObject().put("bindings", new JsonArray()))).status()).isEqualTo(500);
      assertThat(status(p, cookie)).isEqualTo(403);
      sql(url, "ALTER TABLE custom_roles_away RENAME TO custom_roles");
      assertThat(eventually(p, cookie, 200)).isTrue();

      // The directory rebuild reads service accounts; adding a user member does not.
      sql(url, "ALTER TABLE service_accounts RENAME TO service_accounts_away");
      assertThat(p.admin("POST", "/v1/groups/team@example.com/members", new JsonObject()
          .put("member", "user:gil@example.com")).status()).isEqualTo(500);
      assertThat(status(p, cookie)).isEqualTo(403);
      sql(url, "ALTER TABLE service_accounts_away RENAME TO service_accounts");
      assertThat(eventually(p, cookie, 200)).isTrue();
    }
  }

  private static boolean eventually(TestPortcullis p, String cookie, int expected) throws Exception {
    for (int i = 0; i < 100; i++) {
      if (status(p, cookie) == expected) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  private static int status(TestPortcullis p, String cookie) throws Exception {
    return RawHttp.send(p.port(), "GET / HTTP/1.1", "Host: " + p.hostOf("app"), "Accept: application/json",
        "Cookie: portcullis=" + cookie, "Connection: close").status();
  }

  private static void sql(String url, String statement) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.setQueryTimeout(10);
      s.execute(statement);
    }
  }
}
