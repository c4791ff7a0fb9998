package dev.portcullis.cli;

import dev.portcullis.store.Database;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Brings the store's schema up to date, e.g. once before rolling out replicas of a new version. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = "Apply the schema migrations to the store (serve also does this at start) and exit.")
final class MigrateCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  StoreOptions store;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (Database db = store.open(spec)) {
      Database.Migrations m = db.migrations();
      out.println("store " + db.url() + ": applied " + m.applied() + " migration" + (m.applied() == 1 ? "" : "s")
          + "; schema version " + m.version());
    }
    out.flush();
    return 0;
  }
}
