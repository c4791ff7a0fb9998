package dev.portcullis.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** portcullis roles list|describe|create|update|delete: predefined roles, and custom roles (customRoles/ID). */
@Command(name = "roles", mixinStandardHelpOptions = true,
    description = "List roles and their permissions; define custom roles.",
    subcommands = {RolesCommand.ListRoles.class, RolesCommand.Describe.class, RolesCommand.Create.class,
        RolesCommand.Update.class, RolesCommand.Delete.class})
public final class RolesCommand implements Runnable {
  private static final Map<String, String> FLAGS = Map.of("roleId", "ID", "title", "--title",
      "description", "--description", "includedPermissions", "--permissions", "name", "ROLE");

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name what to do: list, describe, create, update or delete");
  }

  private static String flagFor(String field) {
    int bracket = field.indexOf('[');
    return FLAGS.get(bracket < 0 ? field : field.substring(0, bracket));
  }

  static String path(CommandSpec spec, String name) {
    String n = name.trim();
    if (n.startsWith("roles/") && n.indexOf('/', 6) < 0 && n.length() > 6) {
      return "/v1/" + n;
    }
    if (n.startsWith("customRoles/") && n.indexOf('/', 12) < 0 && n.length() > 12) {
      return "/v1/" + n;
    }
    throw new CommandLine.ParameterException(spec.commandLine(), "ROLE: '" + name + "' is not a role name such as "
        + "roles/iap.httpsResourceAccessor or customRoles/ID");
  }

  static void print(JsonObject r, PrintWriter out) {
    out.println(r.getString("name") + " (" + r.getString("title") + ")");
    if (!r.getString("description", "").isEmpty()) {
      out.println("  " + r.getString("description"));
    }
    r.getJsonArray("includedPermissions", new JsonArray()).forEach(p -> out.println("  - " + p));
    out.println("  etag " + r.getString("etag"));
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List predefined and custom roles.")
  static final class ListRoles implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table", description = "table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      JsonObject answer = admin.client(RolesCommand::flagFor).get("/v1/roles");
      Tables.list(answer, "roles", format, null, new String[] {"NAME", "TITLE", "PERMISSIONS"},
          r -> new String[] {r.getString("name"), r.getString("title"),
              String.valueOf(r.getJsonArray("includedPermissions", new JsonArray()).size())},
          spec.commandLine().getOut());
    }
  }

  @Command(name = "describe", mixinStandardHelpOptions = true, description = "Show a role and its permissions.")
  static final class Describe implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "ROLE", description = "roles/NAME or customRoles/ID")
    String name;

    @Override
    public void run() {
      PrintWriter out = spec.commandLine().getOut();
      print(admin.client(RolesCommand::flagFor).get(path(spec, name)), out);
      out.flush();
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Define a custom role, customRoles/ID.")
  static final class Create implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "ID", description = "3 to 64 letters, digits, '_' or '.'")
    String id;

    @Option(names = "--title", required = true, paramLabel = "TITLE", description = "a short title")
    String title;

    @Option(names = "--description", paramLabel = "TEXT", description = "what the role is for")
    String description;

    @Option(names = "--permissions", required = true, split = ",", paramLabel = "PERMISSION",
        description = "comma-separated, e.g. iap.webServiceVersions.accessViaIAP")
    List<String> permissions;

    @Override
    public void run() {
      JsonObject body = new JsonObject().put("roleId", id.trim()).put("title", title)
          .put("includedPermissions", new JsonArray(permissions.stream().map(String::trim).toList()));
      if (description != null) {
        body.put("description", description);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("Created:");
      print(admin.client(RolesCommand::flagFor).post("/v1/customRoles", body), out);
      out.flush();
    }
  }

  @Command(name = "update", mixinStandardHelpOptions = true, description = "Change a custom role.")
  static final class Update implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "ROLE", description = "customRoles/ID")
    String name;

    @Option(names = "--title", paramLabel = "TITLE", description = "a new title")
    String title;

    @Option(names = "--description", paramLabel = "TEXT", description = "a new description")
    String description;

    @Option(names = "--permissions", split = ",", paramLabel = "PERMISSION", description = "the new full list")
    List<String> permissions;

    @Option(names = "--etag", paramLabel = "ETAG", description = "refuse the change if the role changed since this etag")
    String etag;

    @Override
    public void run() {
      JsonObject body = new JsonObject();
      if (title != null) {
        body.put("title", title);
      }
      if (description != null) {
        body.put("description", description);
      }
      if (permissions != null) {
        body.put("includedPermissions", new JsonArray(permissions.stream().map(String::trim).toList()));
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("Updated:");
      print(admin.client(RolesCommand::flagFor).patch(path(spec, name), body, Optional.ofNullable(etag)), out);
      out.flush();
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a custom role; refused while a binding still grants it.")
  static final class Delete implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "ROLE", description = "customRoles/ID")
    String name;

    @Override
    public void run() {
      admin.client(RolesCommand::flagFor).delete(path(spec, name), Optional.empty());
      PrintWriter out = spec.commandLine().getOut();
      out.println("Deleted " + name.trim() + ".");
      out.flush();
    }
  }
}
