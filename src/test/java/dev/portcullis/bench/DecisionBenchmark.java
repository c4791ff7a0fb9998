package dev.portcullis.bench;

import dev.portcullis.directory.DirectorySnapshot;
import dev.portcullis.iam.Authorizer;
import dev.portcullis.iam.Decision;
import dev.portcullis.iam.IamSnapshot;
import dev.portcullis.iam.Permissions;
import dev.portcullis.iam.Principal;
import dev.portcullis.iam.RequestFacts;
import dev.portcullis.iam.condition.AccessLevelSnapshot;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * One access decision on {@link Deployment#TARGET} for a user in 50 groups nested three deep, in steady
 * state (the caller's groups already looked up once in this directory snapshot; see
 * {@link FirstDecisionBenchmark} for the first lookup). {@code bindings} is the whole deployment's count;
 * {@code chainBindings} is how many of them sit on the decided service's chain, the only ones a decision
 * reads. Run with bench/jmh.sh; see docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class DecisionBenchmark {
  @Param({"1000", "10000", "100000"})
  public int bindings;

  @Param({"10", "100"})
  public int chainBindings;

  private Authorizer authorizer;
  private Optional<Principal> allowed;
  private Optional<Principal> conditional;
  private Optional<Principal> denied;
  private RequestFacts reports;
  private RequestFacts elsewhere;

  @Setup
  public void setUp() {
    Deployment d = new Deployment(bindings, chainBindings, 0);
    IamSnapshot iam = new IamSnapshot(List.of(), d.policies);
    DirectorySnapshot directory = d.directory(1);
    AccessLevelSnapshot levels = AccessLevelSnapshot.of(List.of());
    authorizer = new Authorizer(() -> iam, () -> directory, () -> levels);
    allowed = Optional.of(Principal.user(Deployment.user(Deployment.ALLOWED)));
    conditional = Optional.of(Principal.user(Deployment.user(Deployment.CONDITIONAL)));
    denied = Optional.of(Principal.user(Deployment.user(Deployment.DENIED)));
    Instant now = Instant.parse("2026-11-23T13:00:00Z");
    reports = new RequestFacts("svc-0-0.example.com", "/reports/q3", "GET", now, "10.1.2.3");
    elsewhere = new RequestFacts("svc-0-0.example.com", "/admin/users", "GET", now, "10.1.2.3");

    // The set-up is what it claims to be, or the figures mean nothing.
    for (int u : new int[] {Deployment.ALLOWED, Deployment.CONDITIONAL, Deployment.DENIED}) {
      int n = directory.groupsOf("user:" + Deployment.user(u)).size();
      check(n == 50, "user" + u + " is in " + n + " groups, not 50");
    }
    check(d.chainBindingCount() == chainBindings, "chain has " + d.chainBindingCount() + " bindings");
    check(decideAllowedNoCondition().allowed(), "allowed user denied");
    check(decideAllowedNoCondition().grant().get().member().equals("group:div-0@example.com"), "wrong grant");
    check(!decideDeniedNoCondition().allowed(), "denied user allowed");
    check(decideAllowedWithCondition().allowed(), "conditional user denied on /reports/");
    check(decideAllowedWithCondition().grant().get().conditionTitle().isPresent(), "grant without condition");
    check(!decideDeniedConditionFalse().allowed(), "conditional user allowed outside /reports/");
  }

  static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("benchmark set-up is wrong: " + what);
    }
  }

  /** Granted through group:div-0, the project policy's next-to-last binding, with no condition. */
  @Benchmark
  public Decision decideAllowedNoCondition() {
    return authorizer.decide(allowed, Deployment.TARGET, Permissions.ACCESS, reports);
  }

  /** No binding on the chain names the caller or any of its 50 groups: every binding is examined. */
  @Benchmark
  public Decision decideDeniedNoCondition() {
    return authorizer.decide(denied, Deployment.TARGET, Permissions.ACCESS, reports);
  }

  /** Granted through group:div-5, the project policy's last binding, whose CEL condition holds. */
  @Benchmark
  public Decision decideAllowedWithCondition() {
    return authorizer.decide(conditional, Deployment.TARGET, Permissions.ACCESS, reports);
  }

  /** The same binding matches but its condition is false: the rest of the chain is examined, then denied. */
  @Benchmark
  public Decision decideDeniedConditionFalse() {
    return authorizer.decide(conditional, Deployment.TARGET, Permissions.ACCESS, elsewhere);
  }
}
