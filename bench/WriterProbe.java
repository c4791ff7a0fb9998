import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditLog;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

/**
 * The audit writer's own CPU per event, apart from the proxy: two threads offer decision events to a real
 * AuditLog at 15 000 a second each (15 every millisecond), for SECONDS after as long a warm-up, and the
 * writer thread's CPU time is divided by the events it committed. Compare builds by alternating them in
 * one sitting: the machine's noise moves each figure by 10-20%.
 *
 * <pre>
 * java -cp target/portcullis.jar bench/WriterProbe.java 8
 * </pre>
 */
public class WriterProbe {
  public static void main(String[] a) throws Exception {
    int seconds = Integer.parseInt(a[0]);
    Path dir = Files.createTempDirectory("writer-probe");
    var tm = ManagementFactory.getThreadMXBean();
    try (AuditLog log = AuditLog.open(dir, AuditLog.Options.DEFAULTS, r -> {})) {
      long writerId = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("audit-writer")).findFirst().get().threadId();
      Runnable load = () -> {
        long next = System.nanoTime();
        long end = next + seconds * 1_000_000_000L;
        int i = 0;
        while (System.nanoTime() < end) {
          for (int k = 0; k < 15; k++) {
            log.offer(AuditEvent.decision(Instant.now(), "req-" + (i++), new AuditEvent.Principal("ann@example.com", "sub-1234567890", "google", "user"),
                "192.0.2.7", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
                "dash", "GET", "dash.example.com", "/reports/weekly", AuditEvent.Outcome.ALLOW,
                "roles/iap.httpsResourceAccessor via user:ann@example.com", 420));
          }
          next += 1_000_000;
          LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
        }
      };
      Thread.sleep(200);
      // warm-up
      Thread w1 = Thread.ofPlatform().start(load); Thread w2 = Thread.ofPlatform().start(load); w1.join(); w2.join();
      log.sync();
      long c0 = tm.getThreadCpuTime(writerId); long s0 = log.committedSeq();
      Thread t1 = Thread.ofPlatform().start(load); Thread t2 = Thread.ofPlatform().start(load); t1.join(); t2.join();
      log.sync();
      long c1 = tm.getThreadCpuTime(writerId); long s1 = log.committedSeq();
      System.out.printf("writer %.3f us/event over %d events%n", (c1 - c0) / 1000.0 / (s1 - s0), s1 - s0);
    }
  }
}
