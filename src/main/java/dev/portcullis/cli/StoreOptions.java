package dev.portcullis.cli;

import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.Settings;
import dev.portcullis.store.Database;
import dev.portcullis.store.StoreException;
import dev.portcullis.store.StoreUrl;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Which store an offline command (migrate, export, import, audit verify) opens: --store, else store.url
 * from the settings file and PORTCULLIS_* variables, as serve reads them.
 */
final class StoreOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "YAML settings file (also PORTCULLIS_CONFIG)")
  Path config;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "state directory (default ./portcullis-data)")
  String dataDir;

  @Option(names = "--store", paramLabel = "URL", description = "the store: sqlite:PATH or "
      + "postgresql://USER:PASSWORD@HOST:5432/DATABASE (default: store.url, else SQLite in the data directory)")
  String store;

  Settings settings(CommandLine.Model.CommandSpec spec) {
    Map<String, String> flags = new HashMap<>();
    flags.put("data_dir", dataDir);
    flags.put("store.url", store);
    Map<String, String> env = PortcullisCommand.environment(spec);
    Optional<Path> file = Optional.ofNullable(config)
        .or(() -> Optional.ofNullable(env.get("PORTCULLIS_CONFIG")).filter(s -> !s.isBlank()).map(Path::of));
    return ConfigLoader.load(file, env, flags);
  }

  StoreUrl url(CommandLine.Model.CommandSpec spec) {
    Settings s = settings(spec);
    return StoreUrl.parse(s.storeUrl(), s.dataDir());
  }

  /** Opens the store, bringing its schema up to date. */
  Database open(CommandLine.Model.CommandSpec spec) {
    StoreUrl url = url(spec);
    try {
      return Database.open(url);
    } catch (StoreException e) {
      throw new CliException(e.getMessage(), 1);
    }
  }
}
