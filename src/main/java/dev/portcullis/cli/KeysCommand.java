package dev.portcullis.cli;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** portcullis keys list|rotate: the assertion signing keys, through the admin API's /v1/keys. */
@Command(name = "keys", mixinStandardHelpOptions = true,
    description = "See and rotate the keys that sign the identity assertions sent to services.",
    subcommands = {KeysCommand.ListKeys.class, KeysCommand.Rotate.class})
public final class KeysCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name what to do: list or rotate");
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the signing keys: current (signs), next (published, signs after the next rotation) and "
          + "previous (published, no longer signs).")
  static final class ListKeys implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      print(admin.client().get("/v1/keys"), format, spec.commandLine().getOut());
    }
  }

  @Command(name = "rotate", mixinStandardHelpOptions = true,
      description = "Rotate: the next key starts signing, the current key stays published as previous, the old "
          + "previous key is removed, and a new next key is published.")
  static final class Rotate implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      JsonObject keys = admin.client().post("/v1/keys:rotate", new JsonObject());
      PrintWriter out = spec.commandLine().getOut();
      if (format == Tables.Format.table) {
        out.println("Rotated the signing keys.");
      }
      print(keys, format, out);
    }
  }

  /** The table always has its header, even with no keys. */
  static void print(JsonObject answer, Tables.Format format, PrintWriter out) {
    Tables.list(answer, "keys", format, null, new String[] {"KID", "STATE", "ALGORITHM", "CREATED", "STATE SINCE"},
        k -> new String[] {k.getString("kid", ""), k.getString("state", ""), k.getString("algorithm", ""),
            Tables.time(k.getString("createTime")), Tables.time(k.getString("stateTime"))},
        out);
  }
}
