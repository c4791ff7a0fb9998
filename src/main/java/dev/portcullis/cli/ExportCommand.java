package dev.portcullis.cli;

import dev.portcullis.store.Database;
import dev.portcullis.store.StoreTransfer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes the whole store to a file, to move a deployment to another store (see docs/operations.md). */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Write every row of the store to a file (JSON Lines), for 'portcullis import' into another "
        + "store. Stop serve first. The file holds password hashes and sealed keys: keep it as secret as the store.")
final class ExportCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  StoreOptions store;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "the file to write (new)")
  Path output;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    if (Files.exists(output)) {
      throw new CliException(output + " exists already; name a new file", 2);
    }
    Files.createFile(output, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Map<String, Long> counts;
    try (Database db = store.open(spec);
         Writer w = Files.newBufferedWriter(output, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING)) {
      java.nio.file.Path auditDir = dev.portcullis.audit.AuditFiles.directory(store.settings(spec).dataDir());
      try {
        counts = StoreTransfer.export(db, w, dev.portcullis.audit.AuditStore.exportWithLines(auditDir));
      } catch (dev.portcullis.audit.AuditStore.UnreadableBlock e) {
        throw new CliException("cannot export the audit records: " + e.getMessage()
            + "; run 'portcullis audit verify' to see what is missing", 1);
      }
      out.println("exported " + db.url() + " to " + output + ":");
    }
    counts.forEach((table, n) -> out.printf("  %-22s %d%n", table, n));
    out.println("Also carry over the master key (data_dir/master-key, or PORTCULLIS_MASTER_KEY): the signing "
        + "keys in the export are sealed with it.");
    out.flush();
    return 0;
  }
}
