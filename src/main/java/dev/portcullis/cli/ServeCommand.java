package dev.portcullis.cli;

import dev.portcullis.Portcullis;
import dev.portcullis.admin.AdminToken;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.Durations;
import dev.portcullis.config.Settings;
import dev.portcullis.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the proxy until SIGTERM or Ctrl-C, then drains in-flight requests. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run Portcullis: the proxy on --listen, the admin API on --admin-listen.")
public final class ServeCommand implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", description = "YAML settings file (also PORTCULLIS_CONFIG)")
  Path config;

  @Option(names = "--listen", paramLabel = "HOST:PORT", description = "proxy listener (default 127.0.0.1:8080)")
  String listen;

  @Option(names = "--admin-listen", paramLabel = "HOST:PORT", description = "admin listener (default 127.0.0.1:8081)")
  String adminListen;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "state directory (default ./portcullis-data)")
  String dataDir;

  @Option(names = "--domain", paramLabel = "DOMAIN", description = "services are at NAME.DOMAIN (default localhost)")
  String domain;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Map<String, String> flags = new HashMap<>();
    flags.put("listen", listen);
    flags.put("admin.listen", adminListen);
    flags.put("data_dir", dataDir);
    flags.put("domain", domain);
    Map<String, String> env = PortcullisCommand.environment(spec);
    Optional<Path> file = Optional.ofNullable(config)
        .or(() -> Optional.ofNullable(env.get("PORTCULLIS_CONFIG")).filter(s -> !s.isBlank()).map(Path::of));
    Settings settings = ConfigLoader.load(file, env, flags);

    Portcullis running;
    try {
      running = Portcullis.start(settings);
    } catch (StoreException e) {
      throw new CliException(e.getMessage(), 1);
    } catch (IOException e) {
      throw new CliException("cannot use the data directory " + settings.dataDir() + ": " + e.getMessage(), 1);
    } catch (IllegalStateException e) {
      throw new CliException("cannot start: " + e.getMessage()
          + " (is another process using " + settings.listen() + " or " + settings.adminListen() + "?)", 1);
    }
    // Signals that the handler below does not take (SIGHUP, an exit from elsewhere) still drain.
    CountDownLatch closedByHook = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      running.close();
      closedByHook.countDown();
    }, "portcullis-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    StopSignal stop = new StopSignal();
    boolean signals = stop.install();
    printBanner(settings, running);
    try {
      if (!signals) {
        closedByHook.await();
        return 0;
      }
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    System.out.println("portcullis: stopping; draining in-flight requests for up to "
        + Durations.format(settings.shutdownTimeout()));
    System.out.flush();
    running.close();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook has run or is running; close() is idempotent
    }
    System.out.println("portcullis: stopped");
    return 0;
  }

  private static void printBanner(Settings s, Portcullis p) {
    String scheme = s.scheme();
    String host = s.listen().host();
    int port = p.gatewayPort();
    boolean defaultPort = (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
    String portPart = defaultPort ? "" : ":" + port;
    System.out.println("portcullis " + Version.current() + ": proxy on " + scheme + "://" + host + ":" + port
        + ", admin API on http://" + s.adminListen().host() + ":" + p.adminPort());
    if (s.demoEnabled() && p.services().catalog().byName("hello").isPresent()) {
      System.out.println("  demo service:  " + scheme + "://hello." + s.domain() + portPart + "/");
    }
    p.bootstrapPassword().ifPresent(pw -> {
      System.out.println("  first start: created the administrator account " + s.adminEmail());
      System.out.println("  its password, shown this once: " + pw);
      System.out.println("  (change it with: portcullis users reset-password " + s.adminEmail() + ")");
    });
    System.out.println("  sign-in host:  " + scheme + "://" + s.authHost() + portPart + "/");
    System.out.println("  console:       " + scheme + "://" + s.consoleHost() + portPart + "/");
    System.out.println("  data:          " + s.dataDir().toAbsolutePath().normalize());
    System.out.println("  admin token:   " + s.dataDir().resolve(AdminToken.FILE_NAME).toAbsolutePath().normalize());
    System.out.println("  assertion keys: " + scheme + "://" + s.authHost() + portPart + "/.well-known/jwks.json"
        + " (iss " + s.assertion().issuer() + ")");
    if (s.assertion().masterKey().isEmpty()) {
      System.out.println("  master key:    " + s.dataDir().resolve(dev.portcullis.assertion.MasterKeyFile.FILE_NAME)
          .toAbsolutePath().normalize() + " (seals the signing keys; back it up with the data)");
    }
    System.out.flush();
  }
}
