package dev.portcullis.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** portcullis service-accounts keys create|list|delete: a service account's keys. */
@Command(name = "keys", mixinStandardHelpOptions = true,
    description = "Create, list and delete a service account's keys. A key file lets a program sign its own "
        + "JWTs (see 'portcullis auth print-identity-token').",
    subcommands = {ServiceAccountKeysCommand.Create.class, ServiceAccountKeysCommand.ListKeys.class,
        ServiceAccountKeysCommand.Delete.class})
final class ServiceAccountKeysCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name what to do: create, list or delete");
  }

  static String path(String email) {
    return ServiceAccountsCommand.path(email) + "/keys";
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a key and write its key file (readable by you only). Portcullis keeps only the public "
          + "key: the file is the one copy of the private key.")
  static final class Create implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @Option(names = "--output", required = true, paramLabel = "FILE",
        description = "where to write the key file; it must not exist yet")
    Path output;

    @Override
    public void run() {
      if (Files.exists(output)) {
        throw new CliException(output + " already exists; choose another --output (a key file is never "
            + "overwritten)", 1);
      }
      JsonObject created = ServiceAccountsCommand.client(admin).post(path(email), new JsonObject());
      write(output, created.getJsonObject("keyFile").encodePrettily() + "\n");
      PrintWriter out = spec.commandLine().getOut();
      out.println("Created key " + created.getString("keyId") + " for " + email + "; wrote " + output + ".");
      out.println("Make a token with: portcullis auth print-identity-token --key-file " + output
          + " --audience URL");
      out.flush();
    }
  }

  /** Creates the file with mode 0600 from the start, so the key is never readable by others, even briefly. */
  static void write(Path file, String content) {
    try {
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      }
      Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (FileAlreadyExistsException e) {
      throw new CliException(file + " already exists; choose another --output", 1);
    } catch (IOException e) {
      throw new CliException("cannot write the key file " + file + ": " + e.getMessage()
          + ". The key was created: delete it with 'portcullis service-accounts keys delete' and try again", 1);
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List a service account's keys.")
  static final class ListKeys implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      JsonObject answer = ServiceAccountsCommand.client(admin).get(path(email));
      Tables.list(answer, "keys", format,
          "No keys. Create one with: portcullis service-accounts keys create " + email + " --output key.json",
          new String[] {"KEY_ID", "ALGORITHM", "CREATED"},
          k -> new String[] {k.getString("keyId"), k.getString("keyAlgorithm", ""),
              Tables.time(k.getString("createTime"))},
          spec.commandLine().getOut());
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a key: JWTs it signed are refused from the next request on.")
  static final class Delete implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @Parameters(index = "1", paramLabel = "KEY_ID")
    String keyId;

    @Override
    public void run() {
      ServiceAccountsCommand.client(admin).delete(path(email) + "/" + AdminClient.segment(keyId.trim()),
          Optional.empty());
      PrintWriter out = spec.commandLine().getOut();
      out.println("Deleted key " + keyId + " of " + email + ".");
      out.flush();
    }
  }
}
