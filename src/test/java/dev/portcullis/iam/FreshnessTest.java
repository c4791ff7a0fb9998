package dev.portcullis.iam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.session.Sessions;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change answered by the admin API is in force for every request that starts afterwards, even while
 * many clients hammer the service.
 */
class FreshnessTest {
  record Outcome(long startNanos, int status) {}

  @Test
  void everyRequestStartedAfterTheRemovalIsAnswered_isRefused(@TempDir Path dir) throws Exception {
    hammer(dir, false);
  }

  @Test
  void everyRequestStartedAfterTheGroupRemovalIsAnswered_isRefused(@TempDir Path dir) throws Exception {
    hammer(dir, true);
  }

  /** Hammers a service while access is taken away: by removing the binding, or the member from the group. */
  private void hammer(Path dir, boolean viaGroup) throws Exception {
    try (Upstreams upstreams = new Upstreams();
         TestPortcullis p = TestPortcullis.start(dir.resolve("data"))) {
      String upstream = upstreams.http(req -> req.response().end("ok"));
      p.createService("busy", upstream, new JsonObject().put("iap", true));
      if (viaGroup) {
        // Nested: hammer is in testers, which is in qa, which is granted.
        assertThat(p.admin("POST", "/v1/groups", new JsonObject().put("email", "qa@example.com")).status()).isEqualTo(201);
        assertThat(p.admin("POST", "/v1/groups", new JsonObject().put("email", "testers@example.com")).status())
            .isEqualTo(201);
        assertThat(p.admin("POST", "/v1/groups/qa@example.com/members", new JsonObject()
            .put("member", "group:testers@example.com")).status()).isEqualTo(201);
        assertThat(p.admin("POST", "/v1/groups/testers@example.com/members", new JsonObject()
            .put("member", "user:hammer@example.com")).status()).isEqualTo(201);
      }
      JsonObject granted = p.grant("projects/default/services/busy", PredefinedRoles.ACCESSOR,
          viaGroup ? "group:qa@example.com" : "user:hammer@example.com");
      var user = p.portcullis().accounts().orElseThrow().create("hammer@example.com", Optional.empty(),
          "a long enough password");
      Sessions sessions = p.portcullis().sessions();
      Sessions.Created central = sessions.createCentral(user.identity(), p.portcullis().settings().authHost(), null,
          "127.0.0.1", "test");
      String cookie = sessions.createForHost(central.session(), "busy.localhost", "127.0.0.1", "test").orElseThrow()
          .cookieValue();

      ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
      AtomicBoolean stop = new AtomicBoolean();
      int clients = 8;
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      for (int i = 0; i < clients; i++) {
        pool.submit(() -> {
          while (!stop.get()) {
            long start = System.nanoTime();
            RawHttp.Reply r = RawHttp.send(p.port(), "GET / HTTP/1.1", "Host: " + p.hostOf("busy"),
                "Accept: application/json", "Cookie: portcullis=" + cookie, "Connection: close");
            outcomes.add(new Outcome(start, r.status()));
          }
          return null;
        });
      }
      while (outcomes.stream().filter(o -> o.status() == 200).count() < 50) {
        Thread.sleep(5);
      }
      TestPortcullis.AdminResponse removed = viaGroup
          ? p.admin("DELETE", "/v1/groups/testers@example.com/members/user:hammer@example.com", null)
          : p.admin("POST", "/v1/projects/default/services/busy:setIamPolicy",
              new JsonObject().put("policy", new JsonObject().put("etag", granted.getString("etag"))
                  .put("bindings", new JsonArray())));
      long answered = System.nanoTime();
      assertThat(removed.status()).isEqualTo(200);
      int before = outcomes.size();
      while (outcomes.size() < before + 300) {
        Thread.sleep(5);
      }
      stop.set(true);
      pool.shutdown();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

      List<Outcome> after = outcomes.stream().filter(o -> o.startNanos() > answered).toList();
      assertThat(after).hasSizeGreaterThan(100);
      assertThat(after).allSatisfy(o -> assertThat(o.status()).isEqualTo(403));
      assertThat(outcomes.stream().filter(o -> o.startNanos() < answered && o.status() == 200).count())
          .isGreaterThanOrEqualTo(50);
    }
  }
}
