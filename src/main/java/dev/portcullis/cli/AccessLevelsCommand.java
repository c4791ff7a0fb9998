package dev.portcullis.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** portcullis access-levels list|get|create|update|delete: the admin API's /v1/accessLevels from the command line. */
@Command(name = "access-levels", mixinStandardHelpOptions = true,
    description = "Define the access levels IAM conditions test for: IP subnetworks, or a CEL expression.",
    subcommands = {
        AccessLevelsCommand.ListLevels.class,
        AccessLevelsCommand.Get.class,
        AccessLevelsCommand.Create.class,
        AccessLevelsCommand.Update.class,
        AccessLevelsCommand.Delete.class})
public final class AccessLevelsCommand implements Runnable {
  static final String COLLECTION = "/v1/accessLevels";
  static final String PREFIX = "accessLevels/";

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "name what to do: list, get, create, update or delete");
  }

  /** The flag that sets an API field, for the API's field errors. */
  static String flagFor(String field) {
    if (field.startsWith("ipSubnetworks")) {
      return "--ip-subnetworks";
    }
    return switch (field) {
      case "name" -> "NAME";
      case "title" -> "--title";
      case "description" -> "--description";
      case "expression" -> "--expression";
      case "etag" -> "--etag";
      default -> null;
    };
  }

  static AdminClient client(AdminOptions admin) {
    return admin.client(AccessLevelsCommand::flagFor);
  }

  /** NAME or accessLevels/NAME, as the path wants it. */
  static String path(String name) {
    String shortName = name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
    return COLLECTION + "/" + AdminClient.segment(shortName);
  }

  /** The fields both create and update set. */
  static final class LevelFlags {
    @Option(names = "--ip-subnetworks", split = ",", paramLabel = "CIDR",
        description = "IPv4/IPv6 CIDR blocks with the host bits zero, comma-separated, e.g. 10.0.0.0/8,2001:db8::/32")
    List<String> ipSubnetworks;

    @Option(names = "--expression", paramLabel = "EXPR",
        description = "a CEL expression over request.host, request.path, request.method, request.time and "
            + "request.client_ip, e.g. \"inIpRange(request.client_ip, '192.168.0.0/16')\"")
    String expression;

    @Option(names = "--title", paramLabel = "TEXT", description = "a short human-readable name")
    String title;

    @Option(names = "--description", paramLabel = "TEXT", description = "what the level is for")
    String description;

    JsonObject toJson(CommandSpec spec) {
      if (ipSubnetworks != null && expression != null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--ip-subnetworks and --expression exclude "
            + "each other: a level is either a list of IP blocks or an expression; give one of them");
      }
      JsonObject body = new JsonObject();
      if (ipSubnetworks != null) {
        body.put("ipSubnetworks", new JsonArray(ipSubnetworks.stream().map(String::trim).toList()));
      }
      if (expression != null) {
        body.put("expression", expression);
      }
      if (title != null) {
        body.put("title", title);
      }
      if (description != null) {
        body.put("description", description);
      }
      return body;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List all access levels.")
  static final class ListLevels implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      JsonObject answer = client(admin).get(COLLECTION);
      Tables.list(answer, "accessLevels", format,
          "No access levels. Define one with: portcullis access-levels create NAME --ip-subnetworks CIDR[,CIDR]",
          LevelTable.HEADER, LevelTable::row, spec.commandLine().getOut());
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one access level.")
  static final class Get implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "NAME", description = "NAME or accessLevels/NAME")
    String name;

    @Option(names = "--format", paramLabel = "json|table", defaultValue = "json",
        description = "output: json (default) or table")
    Tables.Format format;

    @Override
    public void run() {
      JsonObject level = client(admin).get(path(name));
      PrintWriter out = spec.commandLine().getOut();
      if (format == Tables.Format.json) {
        out.println(level.encodePrettily());
      } else {
        LevelTable.describe(level, out);
      }
      out.flush();
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Define an access level from IP subnetworks or a CEL expression. Conditions test for it with "
          + "'accessLevels/NAME' in request.auth.access_levels.")
  static final class Create implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;
    @Mixin LevelFlags fields;

    @Parameters(index = "0", paramLabel = "NAME",
        description = "a lower-case identifier such as corp_network (or accessLevels/corp_network)")
    String name;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      if (fields.ipSubnetworks == null && fields.expression == null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "say what the level is: give "
            + "--ip-subnetworks CIDR[,CIDR] (e.g. 10.0.0.0/8) or --expression EXPR (CEL over request.*)");
      }
      JsonObject body = fields.toJson(spec).put("name", name);
      JsonObject created = client(admin).post(COLLECTION, body);
      PrintWriter out = spec.commandLine().getOut();
      if (format == Tables.Format.json) {
        out.println(created.encodePrettily());
      } else {
        out.println("Created access level " + created.getString("name") + ".");
        LevelTable.describe(created, out);
      }
      out.flush();
    }
  }

  @Command(name = "update", mixinStandardHelpOptions = true,
      description = "Change the given fields of an access level; the others keep their values. Giving "
          + "--expression to an IP level (or --ip-subnetworks to an expression level) switches its kind.")
  static final class Update implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;
    @Mixin LevelFlags fields;

    @Parameters(index = "0", paramLabel = "NAME", description = "NAME or accessLevels/NAME")
    String name;

    @Option(names = "--etag", paramLabel = "ETAG",
        description = "change only if the level is still at this etag (from get); otherwise fail with a conflict")
    String etag;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      JsonObject body = fields.toJson(spec);
      if (body.isEmpty()) {
        throw new CommandLine.ParameterException(spec.commandLine(), "nothing to change: give at least one of "
            + "--ip-subnetworks, --expression, --title, --description");
      }
      JsonObject updated = client(admin).patch(path(name), body, Optional.ofNullable(etag));
      PrintWriter out = spec.commandLine().getOut();
      if (format == Tables.Format.json) {
        out.println(updated.encodePrettily());
      } else {
        out.println("Updated access level " + updated.getString("name") + ".");
        LevelTable.describe(updated, out);
      }
      out.flush();
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Remove an access level; no request satisfies it once this returns.")
  static final class Delete implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "NAME", description = "NAME or accessLevels/NAME")
    String name;

    @Option(names = "--etag", paramLabel = "ETAG",
        description = "delete only if the level is still at this etag (from get); otherwise fail with a conflict")
    String etag;

    @Override
    public void run() {
      JsonObject deleted = client(admin).delete(path(name), Optional.ofNullable(etag));
      PrintWriter out = spec.commandLine().getOut();
      out.println("Deleted access level " + deleted.getString("name", name) + ".");
      out.flush();
    }
  }

  /** Plain-text renderings for people; scripts use --format json. */
  static final class LevelTable {
    private LevelTable() {}

    static final String[] HEADER = {"NAME", "TITLE", "KIND", "DEFINITION", "UPDATED"};

    static String[] row(JsonObject l) {
      return new String[] {
          l.getString("name", ""), l.getString("title", ""), kind(l), definition(l),
          Tables.time(l.getString("updateTime"))};
    }

    static void describe(JsonObject l, PrintWriter out) {
      String[][] rows = {
          {"name", l.getString("name", "")},
          {"title", l.getString("title", "").isEmpty() ? "-" : l.getString("title")},
          {"description", l.getString("description", "").isEmpty() ? "-" : l.getString("description")},
          {kind(l).equals("ip") ? "ip subnetworks" : "expression", definition(l)},
          {"etag", l.getString("etag", "")},
          {"updated", Tables.time(l.getString("updateTime"))}};
      for (String[] row : rows) {
        out.println(String.format("%-16s%s", row[0] + ":", row[1]));
      }
    }

    private static String kind(JsonObject l) {
      return l.containsKey("expression") ? "expression" : "ip";
    }

    private static String definition(JsonObject l) {
      if (l.containsKey("expression")) {
        return l.getString("expression", "").replaceAll("\\s*\\n\\s*", " ");
      }
      List<String> blocks = new ArrayList<>();
      l.getJsonArray("ipSubnetworks", new JsonArray()).forEach(b -> blocks.add(String.valueOf(b)));
      return String.join(",", blocks);
    }
  }
}
