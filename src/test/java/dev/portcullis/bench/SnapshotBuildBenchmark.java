package dev.portcullis.bench;

import dev.portcullis.directory.DirectorySnapshot;
import dev.portcullis.iam.IamSnapshot;
import java.util.List;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Rebuilding the snapshots a decision reads, for the full {@link Deployment}: 100,000 users, 10,000 groups,
 * about 310,000 membership rows, and {@code bindings} bindings over 1,000 services. The input is what the
 * store's reads hand over (directory rows; policies' bindings with members as strings), so the time covers
 * everything from the rows to the swapped-in snapshot except the SQL and the JSON decoding of the bindings.
 * The one CEL condition is compiled once per expression and then cached across rebuilds, as in the server.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class SnapshotBuildBenchmark {
  @Param({"10000", "100000"})
  public int bindings;

  private Deployment deployment;

  @Setup
  public void setUp() {
    deployment = new Deployment(bindings, 10, 0);
  }

  /** Members parsed from their strings, then the policy snapshot. */
  @Benchmark
  public IamSnapshot iamSnapshot() {
    return new IamSnapshot(List.of(), deployment.parsePolicies());
  }

  /** The directory rows read into a snapshot, group closures included. */
  @Benchmark
  public DirectorySnapshot directorySnapshot() {
    return deployment.directory(1);
  }

  /** Both, as after a change that touches both. */
  @Benchmark
  public void both(Blackhole bh) {
    bh.consume(new IamSnapshot(List.of(), deployment.parsePolicies()));
    bh.consume(deployment.directory(1));
  }
}
