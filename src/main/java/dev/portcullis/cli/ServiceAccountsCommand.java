package dev.portcullis.cli;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** portcullis service-accounts create|list|get|disable|enable|delete: /v1/serviceAccounts from the command line. */
@Command(name = "service-accounts", mixinStandardHelpOptions = true,
    description = "Create and manage service accounts (workload identities, NAME@PROJECT.iam.portcullis.internal) "
        + "on a running Portcullis.",
    subcommands = {
        ServiceAccountsCommand.Create.class,
        ServiceAccountsCommand.ListAccounts.class,
        ServiceAccountsCommand.Get.class,
        ServiceAccountsCommand.Disable.class,
        ServiceAccountsCommand.Enable.class,
        ServiceAccountsCommand.Delete.class,
        ServiceAccountKeysCommand.class})
public final class ServiceAccountsCommand implements Runnable {
  static final String COLLECTION = "/v1/serviceAccounts";
  private static final Map<String, String> FLAGS = Map.of(
      "accountId", "NAME",
      "project", "--project",
      "displayName", "--display-name",
      "description", "--description",
      "email", "EMAIL",
      "etag", "--etag");

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "name what to do: create, list, get, disable, enable, delete or keys");
  }

  static String path(String email) {
    return COLLECTION + "/" + AdminClient.segment(email.trim());
  }

  static AdminClient client(AdminOptions admin) {
    return admin.client(FLAGS::get);
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a service account NAME@PROJECT.iam.portcullis.internal.")
  static final class Create implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "NAME",
        description = "6 to 30 lower-case letters, digits or '-', starting with a letter, e.g. ci-deploy")
    String name;

    @Option(names = "--project", paramLabel = "PROJECT", description = "the project it belongs to (default: default)")
    String project;

    @Option(names = "--display-name", paramLabel = "NAME", description = "the name shown for the account")
    String displayName;

    @Option(names = "--description", paramLabel = "TEXT", description = "what the account is for")
    String description;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      JsonObject body = new JsonObject().put("accountId", name);
      if (project != null) {
        body.put("project", project);
      }
      if (displayName != null) {
        body.put("displayName", displayName);
      }
      if (description != null) {
        body.put("description", description);
      }
      JsonObject created = client(admin).post(COLLECTION, body);
      PrintWriter out = spec.commandLine().getOut();
      if (format == Tables.Format.json) {
        out.println(created.encodePrettily());
      } else {
        out.println("Created service account " + created.getString("email") + ".");
        out.println("Grant it access with the member serviceAccount:" + created.getString("email"));
      }
      out.flush();
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List service accounts.")
  static final class ListAccounts implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Option(names = "--project", paramLabel = "PROJECT", description = "only this project's accounts")
    String project;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      JsonObject answer = client(admin).get(COLLECTION + (project == null ? "" : "?project="
          + AdminClient.segment(project)));
      Tables.list(answer, "serviceAccounts", format,
          "No service accounts. Create one with: portcullis service-accounts create NAME",
          new String[] {"EMAIL", "PROJECT", "NAME", "STATUS", "CREATED"},
          a -> new String[] {a.getString("email", ""), a.getString("project", ""),
              a.getString("displayName", "-"), a.getBoolean("disabled", false) ? "disabled" : "active",
              Tables.time(a.getString("createTime"))},
          spec.commandLine().getOut());
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one service account (JSON).")
  static final class Get implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @Override
    public void run() {
      PrintWriter out = spec.commandLine().getOut();
      out.println(client(admin).get(path(email)).encodePrettily());
      out.flush();
    }
  }

  @Command(name = "disable", mixinStandardHelpOptions = true,
      description = "Disable a service account: its next request is refused, until enable.")
  static final class Disable implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @Override
    public void run() {
      JsonObject a = client(admin).post(path(email) + ":disable", new JsonObject());
      PrintWriter out = spec.commandLine().getOut();
      out.println("Disabled " + a.getString("email") + "; its requests are refused until it is enabled.");
      out.flush();
    }
  }

  @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled service account.")
  static final class Enable implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @Override
    public void run() {
      JsonObject a = client(admin).post(path(email) + ":enable", new JsonObject());
      PrintWriter out = spec.commandLine().getOut();
      out.println("Enabled " + a.getString("email") + ".");
      out.flush();
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a service account; it also leaves every group. A new account of the same name starts "
          + "in none.")
  static final class Delete implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @Option(names = "--etag", paramLabel = "ETAG",
        description = "delete only if the account is still at this etag (from get); otherwise fail with a conflict")
    String etag;

    @Override
    public void run() {
      JsonObject a = client(admin).delete(path(email), Optional.ofNullable(etag));
      PrintWriter out = spec.commandLine().getOut();
      out.println("Deleted service account " + a.getString("email", email) + ".");
      out.flush();
    }
  }
}
