package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.authn.User;
import dev.portcullis.iam.PredefinedRoles;
import dev.portcullis.testing.SignedInSessions;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.TestPostgres;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stopped and started again under two serving replicas: cached sessions never fail, /readyz
 * and /metrics say what is going on, admin writes are refused with 503 and leave nothing behind, and
 * changes after the restart reach both replicas.
 */
class StoreOutageTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static TestPostgres postgres;

  @BeforeAll
  static void start() throws Exception {
    postgres = TestPostgres.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  record Outcome(String replica, int status) {}

  static JsonObject readyz(TestPortcullis p) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(p.adminUrl() + "/readyz")).build(),
        HttpResponse.BodyHandlers.ofString());
    return new JsonObject(r.body()).put("httpStatus", r.statusCode());
  }

  static String metrics(TestPortcullis p) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(p.adminUrl() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void storeStoppedAndRestarted_cachedSessionsNeverFail_writesAre503_andLaterChangesReachBoth(@TempDir Path dir)
      throws Exception {
    String url = postgres.createDatabase("outage");
    TestPortcullis[] r = ReplicasTest.replicas(dir, url);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Upstreams upstreams = new Upstreams(); TestPortcullis a = r[0]; TestPortcullis b = r[1]) {
      String cookie = ReplicasTest.anaSignedInToBusy(a, upstreams);
      ReplicasTest.await("both replicas letting Ana in", 10_000,
          () -> ReplicasTest.get(a, "busy", cookie) == 200 && ReplicasTest.get(b, "busy", cookie) == 200);
      assertThat(readyz(a).getString("status")).isEqualTo("ready");

      // Both replicas are hammered with the cached session through the whole outage and the recovery.
      ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
      AtomicBoolean stopHammer = new AtomicBoolean();
      Future<?> hammer = pool.submit(() -> {
        while (!stopHammer.get()) {
          outcomes.add(new Outcome("A", ReplicasTest.get(a, "busy", cookie)));
          outcomes.add(new Outcome("B", ReplicasTest.get(b, "busy", cookie)));
          Thread.sleep(20);
        }
        return null;
      });

      postgres.stop();
      for (TestPortcullis p : List.of(a, b)) {
        ReplicasTest.await("/readyz to report the outage", 20_000, () -> {
          try {
            return readyz(p).getString("store").equals("unreachable");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        JsonObject ready = readyz(p);
        assertThat(ready.getInteger("httpStatus")).as(ready.encode()).isEqualTo(200);
        assertThat(ready.getString("status")).isEqualTo("degraded");
        assertThat(ready.getString("changeFeed")).isEqualTo("reconnecting");
        assertThat(ready.getString("snapshots")).startsWith("serving the last snapshot");
        assertThat(metrics(p)).contains("portcullis_store_reachable 0.0").contains("portcullis_change_feed_in_sync 0.0");
      }

      TestPortcullis.AdminResponse refused = a.admin("POST", "/v1/groups", new JsonObject().put("email", "new@example.com"));
      assertThat(refused.status()).as(refused.body().encode()).isEqualTo(503);
      assertThat(refused.body().getJsonObject("error").getString("status")).isEqualTo("UNAVAILABLE");
      assertThat(refused.body().getJsonObject("error").getString("message")).contains("store").contains("nothing was changed");
      TestPortcullis.AdminResponse refusedRemoval = b.admin("DELETE",
          "/v1/groups/qa@example.com/members/user:ana@example.com", null);
      assertThat(refusedRemoval.status()).isEqualTo(503);
      int during = outcomes.size();
      Thread.sleep(1_000);
      assertThat(outcomes.size()).as("requests kept being answered during the outage").isGreaterThan(during + 10);

      postgres.startAgain();
      for (TestPortcullis p : List.of(a, b)) {
        ReplicasTest.await("the replica back in sync", 30_000, () -> {
          try {
            return readyz(p).getString("status").equals("ready");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        assertThat(metrics(p)).contains("portcullis_store_reachable 1.0").contains("portcullis_change_feed_in_sync 1.0")
            .contains("portcullis_change_feed_reconnects_total 1.0");
      }
      Thread.sleep(500);
      stopHammer.set(true);
      hammer.get(30, TimeUnit.SECONDS);
      assertThat(outcomes).hasSizeGreaterThan(100);
      assertThat(outcomes).allSatisfy(o -> assertThat(o.status()).as(o.replica() + " answered").isEqualTo(200));

      // Nothing was half-written while the store was away.
      assertThat(a.admin("GET", "/v1/groups/new@example.com", null).status()).isEqualTo(404);
      assertThat(b.admin("GET", "/v1/groups/new@example.com", null).status()).isEqualTo(404);

      // Changes after the restart reach both: a group made on A is seen on B, a removal on B holds on A.
      assertThat(a.admin("POST", "/v1/groups", new JsonObject().put("email", "after@example.com")).status()).isEqualTo(201);
      ReplicasTest.await("B to see the group made on A", 5_000,
          () -> b.admin("GET", "/v1/groups/after@example.com", null).status() == 200);
      assertThat(b.admin("DELETE", "/v1/groups/qa@example.com/members/user:ana@example.com", null).status())
          .isEqualTo(200);
      assertThat(ReplicasTest.get(b, "busy", cookie)).isEqualTo(403);
      ReplicasTest.await("A to refuse Ana after the removal on B", 5_000, () -> ReplicasTest.get(a, "busy", cookie) == 403);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void feedAwayLongerThanMaxStaleness_deniesEverything_untilTheStoreIsBack(@TempDir Path dir) throws Exception {
    String url = postgres.createDatabase("bounded");
    TestPortcullis p = TestPortcullis.start(dir.resolve("a"), java.util.Map.of("store.url", url,
        "store.max_staleness", "3s"));
    try (Upstreams upstreams = new Upstreams(); p) {
      p.createService("busy", upstreams.http(req -> req.response().end("ok")), new JsonObject().put("iap", true));
      p.grant("projects/default/services/busy", PredefinedRoles.ACCESSOR, "user:ana@example.com");
      User ana = p.portcullis().accounts().orElseThrow().create("ana@example.com", Optional.empty(),
          "a long enough password");
      String cookie = new SignedInSessions(p, null).signIn(ana, "busy").cookie();
      assertThat(ReplicasTest.get(p, "busy", cookie)).isEqualTo(200);

      postgres.stop();
      long stopped = System.nanoTime();
      try {
        assertThat(ReplicasTest.get(p, "busy", cookie)).as("within the bound, the last snapshot decides").isEqualTo(200);
        ReplicasTest.await("the replica to deny once the bound has passed", 20_000,
            () -> ReplicasTest.get(p, "busy", cookie) == 403);
        assertThat(System.nanoTime() - stopped).isGreaterThan(3_000_000_000L);
        JsonObject ready = readyz(p);
        assertThat(ready.getInteger("httpStatus")).isEqualTo(503);
        assertThat(ready.getString("snapshots")).startsWith("failed closed");
      } finally {
        postgres.startAgain();
      }
      ReplicasTest.await("the replica to let Ana in again after the resync", 30_000,
          () -> ReplicasTest.get(p, "busy", cookie) == 200);
      ReplicasTest.await("readyz to say ready once the resync has finished", 10_000, () -> {
        try {
          return readyz(p).getString("status").equals("ready");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
    }
  }
}
