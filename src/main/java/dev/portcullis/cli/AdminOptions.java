package dev.portcullis.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Where the admin API is and which token to show it; shared by every command that talks to a running Portcullis. */
final class AdminOptions {
  static final String DEFAULT_URL = "http://127.0.0.1:8081";
  static final String DEFAULT_DATA_DIR = "./portcullis-data";
  static final String TOKEN_FILE = "admin-token";

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(names = "--admin-url", paramLabel = "URL",
      description = "the admin API (default: PORTCULLIS_ADMIN_URL, else " + DEFAULT_URL + ")")
  String adminUrl;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "file holding the admin token (default: PORTCULLIS_ADMIN_TOKEN, else DIR/admin-token of --data-dir)")
  Path tokenFile;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "the server's data directory, to find its admin token (default: PORTCULLIS_DATA_DIR, else "
          + DEFAULT_DATA_DIR + ")")
  Path dataDir;

  /** A client for the services commands, whose field errors name the service flags. */
  AdminClient client() {
    return client(ServiceFlags::flagFor);
  }

  /** A client whose field errors name the flag {@code flagFor} gives for each field. */
  AdminClient client(Function<String, String> flagFor) {
    Map<String, String> env = PortcullisCommand.environment(mixee);
    URI base = baseUrl(env);
    if (tokenFile != null) {
      return new AdminClient(base, readToken(tokenFile, "--token-file"), tokenFile.toString(), flagFor);
    }
    String fromEnv = env.get("PORTCULLIS_ADMIN_TOKEN");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return new AdminClient(base, fromEnv.trim(), "PORTCULLIS_ADMIN_TOKEN", flagFor);
    }
    Path dir = dataDir != null ? dataDir
        : Path.of(nonBlank(env.get("PORTCULLIS_DATA_DIR"), DEFAULT_DATA_DIR));
    Path file = dir.resolve(TOKEN_FILE);
    return new AdminClient(base, readToken(file, "the data directory " + dir), file.toString(), flagFor);
  }

  private URI baseUrl(Map<String, String> env) {
    String raw = adminUrl != null ? adminUrl : nonBlank(env.get("PORTCULLIS_ADMIN_URL"), DEFAULT_URL);
    String source = adminUrl != null ? "--admin-url" : "PORTCULLIS_ADMIN_URL";
    try {
      URI uri = new URI(raw.trim());
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new URISyntaxException(raw, "not an http(s) URL with a host");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new CommandLine.ParameterException(mixee.commandLine(),
          source + ": '" + raw + "' is not a URL such as " + DEFAULT_URL);
    }
  }

  private static String readToken(Path file, String from) {
    String token;
    try {
      token = Files.readString(file, StandardCharsets.US_ASCII).trim();
    } catch (NoSuchFileException e) {
      throw new CliException("no admin token: " + file + " does not exist. Run this where 'portcullis serve' keeps "
          + "its data, or pass --data-dir DIR or --token-file FILE, or set PORTCULLIS_ADMIN_TOKEN", 1);
    } catch (IOException e) {
      throw new CliException("cannot read the admin token from " + from + " (" + file + "): " + e.getMessage(), 1);
    }
    if (token.isEmpty()) {
      throw new CliException("the admin token file " + file + " is empty", 1);
    }
    return token;
  }

  private static String nonBlank(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}
