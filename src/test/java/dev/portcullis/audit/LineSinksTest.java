package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stdout and file sinks get each committed record once, as the sealed line, in chain order. */
class LineSinksTest {
  @TempDir Path dir;

  @Test
  void stdoutAndFile_getEveryCommittedLine_inOrder_andARenamedFileStartsAgain() throws Exception {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    Path file = dir.resolve("audit.jsonl");
    LineSinks sinks = new LineSinks(Optional.of(file), Optional.of(new PrintStream(stdout, true, StandardCharsets.UTF_8)));
    try (AuditLog log = AuditLog.open(dir.resolve("data"), AuditLog.Options.DEFAULTS, sinks)) {
      for (int i = 0; i < 50; i++) {
        log.record(AuditLogTest.decision("r" + i));
      }
      log.sync();
      awaitWritten(sinks, 50);
      // A shipper's rotation by rename: the next batch goes to a new file.
      Files.move(file, dir.resolve("audit.jsonl.1"));
      for (int i = 50; i < 60; i++) {
        log.record(AuditLogTest.decision("r" + i));
      }
      log.sync();
      awaitWritten(sinks, 60);
    }
    sinks.close();
    List<String> printed = stdout.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(printed).hasSize(60);
    for (int i = 0; i < printed.size(); i++) {
      AuditRecord r = AuditRecord.parse(printed.get(i));
      assertThat(r.intact()).isTrue();
      assertThat(r.seq()).isEqualTo(i + 1);
    }
    assertThat(Files.readAllLines(dir.resolve("audit.jsonl.1"))).isEqualTo(printed.subList(0, 50));
    assertThat(Files.readAllLines(file)).isEqualTo(printed.subList(50, 60));
    assertThat(sinks.dropped()).isZero();
  }

  private static void awaitWritten(LineSinks sinks, long n) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (sinks.written() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(sinks.written()).isEqualTo(n);
  }
}
