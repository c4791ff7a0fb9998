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
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The first decision for a caller in a new directory snapshot, when its 50 groups are not yet looked up
 * (the snapshot computes a member's groups on its first request and keeps them), against the same
 * decisions once they are. Each iteration builds a fresh directory snapshot (not timed), then times one
 * pass of {@value #CALLERS} allowed decisions, each for a different caller in the same 50 groups as
 * {@link Deployment#ALLOWED}: the score is per decision.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 15)
@Measurement(iterations = 15)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class FirstDecisionBenchmark {
  static final int CALLERS = 1000;

  @State(Scope.Benchmark)
  public static class Input {
    @Param({"10000"})
    public int bindings;

    @Param({"10"})
    public int chainBindings;

    Deployment deployment;
    IamSnapshot iam;
    AccessLevelSnapshot levels = AccessLevelSnapshot.of(List.of());
    List<Optional<Principal>> callers;
    RequestFacts facts = new RequestFacts("svc-0-0.example.com", "/reports/q3", "GET",
        Instant.parse("2026-11-23T13:00:00Z"), "10.1.2.3");

    @Setup(Level.Trial)
    public void setUp() {
      deployment = new Deployment(bindings, chainBindings, CALLERS);
      iam = new IamSnapshot(List.of(), deployment.policies);
      callers = java.util.stream.IntStream.range(0, CALLERS)
          .mapToObj(c -> Optional.of(Principal.user("cold" + c + "@example.com"))).toList();
    }
  }

  /** A fresh directory snapshot per iteration: every caller's groups are still to be looked up. */
  @State(Scope.Benchmark)
  public static class Cold {
    Authorizer authorizer;
    long version;

    @Setup(Level.Iteration)
    public void setUp(Input in) {
      DirectorySnapshot directory = in.deployment.directory(++version);
      authorizer = new Authorizer(() -> in.iam, () -> directory, () -> in.levels);
    }
  }

  /** The same, with every caller decided once before the timed pass. */
  @State(Scope.Benchmark)
  public static class Warm {
    Authorizer authorizer;
    long version;

    @Setup(Level.Iteration)
    public void setUp(Input in) {
      DirectorySnapshot directory = in.deployment.directory(++version);
      authorizer = new Authorizer(() -> in.iam, () -> directory, () -> in.levels);
      for (Optional<Principal> c : in.callers) {
        if (!authorizer.decide(c, Deployment.TARGET, Permissions.ACCESS, in.facts).allowed()) {
          throw new IllegalStateException("benchmark set-up is wrong: " + c + " denied");
        }
      }
    }
  }

  @Benchmark
  @OperationsPerInvocation(CALLERS)
  public void firstDecision(Input in, Cold cold, Blackhole bh) {
    for (Optional<Principal> c : in.callers) {
      bh.consume(cold.authorizer.decide(c, Deployment.TARGET, Permissions.ACCESS, in.facts));
    }
  }

  @Benchmark
  @OperationsPerInvocation(CALLERS)
  public void laterDecision(Input in, Warm warm, Blackhole bh) {
    for (Optional<Principal> c : in.callers) {
      bh.consume(warm.authorizer.decide(c, Deployment.TARGET, Permissions.ACCESS, in.facts));
    }
  }
}
