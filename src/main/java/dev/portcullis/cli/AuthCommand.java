package dev.portcullis.cli;

import dev.portcullis.authn.workload.KeyFile;
import dev.portcullis.config.Durations;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** portcullis auth print-identity-token: a service account's JWT, signed here with its key file. */
@Command(name = "auth", mixinStandardHelpOptions = true,
    description = "Credentials for programs that call services behind Portcullis.",
    subcommands = {AuthCommand.PrintIdentityToken.class})
public final class AuthCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name what to do: print-identity-token");
  }

  @Command(name = "print-identity-token", mixinStandardHelpOptions = true,
      description = "Sign a JWT with a service account's key file (no server is called) and print it. Send it as "
          + "'Authorization: Bearer TOKEN', or as 'Proxy-Authorization: Bearer TOKEN' to leave Authorization to "
          + "the app.")
  static final class PrintIdentityToken implements Runnable {
    @Spec CommandSpec spec;

    @Option(names = "--key-file", required = true, paramLabel = "FILE",
        description = "the key file from 'portcullis service-accounts keys create'")
    Path keyFile;

    @Option(names = "--audience", required = true, paramLabel = "URL",
        description = "the URL to be called, e.g. https://dash.example.com/reports, or ending in /* for every URL "
            + "under it, e.g. https://dash.example.com/*")
    String audience;

    @Option(names = "--lifetime", paramLabel = "DURATION", defaultValue = "1h",
        description = "how long the token is valid, at most 1h (default 1h)")
    String lifetime;

    @Override
    public void run() {
      Duration life = Durations.parse(lifetime).filter(d -> !d.isZero() && !d.isNegative()
          && d.compareTo(KeyFile.MAX_LIFETIME) <= 0).orElseThrow(() -> new CommandLine.ParameterException(
              spec.commandLine(), "--lifetime: '" + lifetime + "' is not a duration from 1s to 1h, e.g. 15m"));
      checkAudience();
      KeyFile key;
      try {
        key = KeyFile.parse(Files.readString(keyFile, StandardCharsets.UTF_8));
      } catch (NoSuchFileException e) {
        throw new CliException("--key-file: " + keyFile + " does not exist", 1);
      } catch (IOException e) {
        throw new CliException("--key-file: cannot read " + keyFile + ": " + e.getMessage(), 1);
      } catch (IllegalArgumentException e) {
        throw new CliException("--key-file: " + keyFile + ": " + e.getMessage(), 1);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(key.sign(audience, Instant.now(), life));
      out.flush();
    }

    /** The audience is compared as written: say so now rather than with a 401 later. */
    private void checkAudience() {
      String problem = null;
      try {
        URI uri = new URI(audience);
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
          problem = "is not an http(s) URL";
        } else if (uri.getRawPath() == null || uri.getRawPath().isEmpty()) {
          problem = "has no path; write " + audience + "/ or " + audience + "/*";
        } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
          problem = "must not have a query or fragment: they are not compared";
        } else if (!uri.getHost().equals(uri.getHost().toLowerCase(java.util.Locale.ROOT))) {
          problem = "must have a lower-case host";
        }
      } catch (URISyntaxException e) {
        problem = "is not a URL";
      }
      if (problem != null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--audience: '" + audience + "' " + problem);
      }
    }
  }
}
