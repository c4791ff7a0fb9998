package dev.portcullis.cli;

import dev.portcullis.store.Database;
import dev.portcullis.store.StoreException;
import dev.portcullis.store.StoreTransfer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Reads an export into a new, empty store: all of it in one transaction, or nothing. */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Read a file from 'portcullis export' into the store (--store or store.url), which must be "
        + "empty: migrated, never served. All rows land in one transaction, or none; counts are checked.")
final class ImportCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  StoreOptions store;

  @Parameters(paramLabel = "FILE", description = "the export to read")
  Path input;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    if (!Files.isReadable(input)) {
      throw new CliException("cannot read " + input, 2);
    }
    Map<String, Long> counts;
    try (Database db = store.open(spec);
         BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
      counts = StoreTransfer.importInto(db, in);
      out.println("imported " + input + " into " + db.url() + ":");
    } catch (StoreException e) {
      throw new CliException("import refused: " + e.getMessage(), 1);
    }
    counts.forEach((table, n) -> out.printf("  %-22s %d%n", table, n));
    out.flush();
    return 0;
  }
}
