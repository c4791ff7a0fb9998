package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.authn.DisabledUsers;
import dev.portcullis.authn.Identity;
import dev.portcullis.directory.DirectorySnapshot;
import dev.portcullis.iam.Authorizer;
import dev.portcullis.iam.Binding;
import dev.portcullis.iam.IamSnapshot;
import dev.portcullis.iam.Policy;
import dev.portcullis.iam.PolicyJson;
import dev.portcullis.iam.PredefinedRoles;
import dev.portcullis.iam.Principal;
import dev.portcullis.iam.ResourceName;
import dev.portcullis.iam.condition.AccessLevelSnapshot;
import dev.portcullis.service.AccessDenied;
import dev.portcullis.service.AssertionOptions;
import dev.portcullis.service.Ingress;
import dev.portcullis.service.Service;
import dev.portcullis.service.ServiceCatalog;
import dev.portcullis.service.Timeouts;
import dev.portcullis.session.Session;
import dev.portcullis.store.Database;
import dev.portcullis.store.UserRepository;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What ends a live connection besides policy: a bearer token's expiry, a session revoked before it registered. */
class LiveConnectionsUnitTest {
  @TempDir Path dir;

  @Test
  void anExpiredBearerToken_andALatelyRevokedSession_endTheirConnections_andEachCloseIsAudited() throws Exception {
    List<Binding> bindings = PolicyJson.readBindings(new JsonArray().add(new JsonObject()
        .put("role", PredefinedRoles.ACCESSOR).put("members", new JsonArray().add("allUsers"))), "bindings", r -> true);
    IamSnapshot iam = new IamSnapshot(List.of(), Map.of(ResourceName.service("default", "dash"),
        new Policy(Policy.versionFor(bindings), "BwE=", bindings)));
    Authorizer authorizer = new Authorizer(() -> iam, DirectorySnapshot::empty, () -> AccessLevelSnapshot.of(List.of()));
    Service dash = new Service("dash", "default", URI.create("http://127.0.0.1:1"), List.of(), true, Ingress.ALL,
        Timeouts.DEFAULTS, Optional.empty(), AccessDenied.NONE, AssertionOptions.DEFAULTS, false, 1, Instant.EPOCH,
        Instant.EPOCH);
    List<AuditEvent> audited = new CopyOnWriteArrayList<>();
    List<String> closed = new CopyOnWriteArrayList<>();
    Vertx vertx = Vertx.vertx();
    try (Database db = Database.openSqlite(dir.resolve("s.db"))) {
      DisabledUsers disabled = new DisabledUsers(new UserRepository(db, Clock.systemUTC()));
      Set<String> revoked = Set.of("revoked-hash");
      LiveConnections live = new LiveConnections(authorizer, () -> new ServiceCatalog("example.com", List.of(dash)),
          disabled, audited::add, Clock.systemUTC(), revoked::contains, keyId -> true);
      var context = vertx.getOrCreateContext();

      Instant soon = Instant.now().plusMillis(300);
      live.open(holder(null, soon), context, closed::add);
      live.open(holder(null, null), context, closed::add);
      assertThat(live.recheck()).isZero();
      Thread.sleep(400);
      assertThat(live.recheck()).isEqualTo(1);

      Session session = new Session("revoked-hash", "pub", "central", "dash.example.com",
          new Identity("u1", "s1", "ann@example.com", "local"), null, Instant.now(), Instant.now(),
          Instant.now().plusSeconds(3600), Instant.now(), false, "10.0.0.1", "ua");
      live.open(holder(session, null), context, closed::add);

      long deadline = System.nanoTime() + 5_000_000_000L;
      while (closed.size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(closed).containsExactlyInAnyOrder("the bearer token it was opened with expired",
          "the session was signed out or revoked");
      assertThat(live.size()).isEqualTo(1);
      assertThat(audited).extracting(AuditEvent::action).containsOnly("connection.close");
      assertThat(audited).hasSize(2);
    } finally {
      vertx.close();
    }
  }

  private static LiveConnections.Holder holder(Session session, Instant notAfter) {
    return new LiveConnections.Holder("dash", Optional.of(Principal.user("ann@example.com")), session,
        "dash.example.com", "/", "GET", "10.0.0.1", "ua", "rid", "websocket", true, notAfter, null);
  }
}
