package dev.portcullis.bench;

import dev.portcullis.authn.DisabledUsers;
import dev.portcullis.directory.DirectorySnapshot;
import dev.portcullis.gateway.LiveConnectionsProbe;
import dev.portcullis.iam.Authorizer;
import dev.portcullis.iam.IamSnapshot;
import dev.portcullis.iam.Principal;
import dev.portcullis.iam.condition.AccessLevelSnapshot;
import dev.portcullis.service.AccessDenied;
import dev.portcullis.service.AssertionOptions;
import dev.portcullis.service.Ingress;
import dev.portcullis.service.Service;
import dev.portcullis.service.ServiceCatalog;
import dev.portcullis.service.Timeouts;
import dev.portcullis.store.Database;
import dev.portcullis.store.UserRepository;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a change costs with many live connections open: {@code connections} WebSockets on
 * {@link Deployment#TARGET}, half held by a user in 50 nested groups granted without a condition, half by
 * one granted under a CEL condition on the path, all still allowed; one recheck decides every one of them
 * again (nothing is closed, so each iteration does the same work). The deployment's policies hold
 * {@code bindings} bindings. Run with bench/jmh.sh; see docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class LiveRecheckBenchmark {
  @Param({"10000"})
  public int connections;

  @Param({"10000"})
  public int bindings;

  private LiveConnectionsProbe live;
  private Database db;
  private Path dir;

  @Setup
  public void setUp() throws Exception {
    Deployment d = new Deployment(bindings, 100, 0);
    IamSnapshot iam = new IamSnapshot(List.of(), d.policies);
    DirectorySnapshot directory = d.directory(1);
    AccessLevelSnapshot levels = AccessLevelSnapshot.of(List.of());
    Authorizer authorizer = new Authorizer(() -> iam, () -> directory, () -> levels);
    Service target = new Service(Deployment.TARGET.toString().substring(Deployment.TARGET.toString().lastIndexOf('/') + 1),
        "proj-0", URI.create("http://127.0.0.1:1"), List.of(), true, Ingress.ALL, Timeouts.DEFAULTS, Optional.empty(),
        AccessDenied.NONE, AssertionOptions.DEFAULTS, false, 1, Instant.EPOCH, Instant.EPOCH);
    ServiceCatalog catalog = new ServiceCatalog("example.com", List.of(target));
    dir = Files.createTempDirectory("live-bench");
    db = Database.openSqlite(dir.resolve("store.db"));
    DisabledUsers disabled = new DisabledUsers(new UserRepository(db, Clock.systemUTC()));
    live = new LiveConnectionsProbe(authorizer, () -> catalog, disabled);
    for (int i = 0; i < connections; i++) {
      boolean conditional = i % 2 == 1;
      String email = Deployment.user(conditional ? Deployment.CONDITIONAL : Deployment.ALLOWED);
      live.open(target.name(), Principal.user(email), "svc-0-0.example.com",
          conditional ? "/reports/live" : "/dashboard", "10.1.2." + (i % 250));
    }
    int closed = live.recheck();
    if (closed != 0 || live.size() != connections) {
      throw new IllegalStateException("the set-up is wrong: " + closed + " closed, " + live.size() + " open");
    }
  }

  @TearDown
  public void tearDown() throws Exception {
    db.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public int recheckAll() {
    return live.recheck();
  }
}
