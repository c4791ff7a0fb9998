package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.cli.PortcullisCommand;
import dev.portcullis.store.Database;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AuditVerifyCommandTest {
  @TempDir Path dataDir;

  record Run(int status, String out) {}

  Run verify() {
    CommandLine cl = PortcullisCommand.commandLine(Map.of());
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(out));
    int status = cl.execute("audit", "verify", "--data-dir", dataDir.toString());
    return new Run(status, out.toString());
  }

  @Test
  void anIntactLogPassesAndAnEditedFileOrATruncatedFileIsNamed() throws Exception {
    String replica;
    try (Database db = Database.openSqlite(dataDir.resolve("portcullis.db"))) {
      StoreCopier copier = new StoreCopier(new AuditStore(db, AuditFiles.directory(dataDir)));
      try (AuditLog log = StoreCopier.openLog(dataDir, AuditLog.Options.DEFAULTS, copier)) {
        replica = log.replica();
        for (int i = 0; i < 10; i++) {
          log.record(AuditLogTest.decision("r" + i));
        }
        assertThat(copier.awaitStored(log.sync(), 5_000)).isTrue();
      }
      copier.close();
    }
    Run intact = verify();
    assertThat(intact.status()).as(intact.out()).isZero();
    assertThat(intact.out()).contains("store  replica " + replica + ": intact: 10 records")
        .contains("files  replica " + replica + ": intact: 10 records");

    Path segment = AuditFiles.segments(AuditFiles.directory(dataDir), replica).getFirst();
    List<String> lines = Files.readAllLines(segment, StandardCharsets.UTF_8);
    Files.writeString(segment, String.join("\n", lines.subList(0, 8)) + "\n", StandardCharsets.UTF_8);
    Run truncated = verify();
    assertThat(truncated.status()).isEqualTo(1);
    assertThat(truncated.out()).contains("records 9 to 10 are missing");

    lines.set(4, lines.get(4).replace("curl/8", "curl/9"));
    Files.writeString(segment, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    Run edited = verify();
    assertThat(edited.status()).isEqualTo(1);
    assertThat(edited.out()).contains("record 5 was edited");
  }
}
