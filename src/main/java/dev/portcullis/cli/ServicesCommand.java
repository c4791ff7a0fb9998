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

/** portcullis services create|list|get|update|delete: the admin API's /v1/services from the command line. */
@Command(name = "services", mixinStandardHelpOptions = true,
    description = "Register, inspect, change and remove services on a running Portcullis (through its admin API).",
    subcommands = {
        ServicesCommand.Create.class,
        ServicesCommand.ListServices.class,
        ServicesCommand.Get.class,
        ServicesCommand.Update.class,
        ServicesCommand.Delete.class})
public final class ServicesCommand implements Runnable {
  static final String COLLECTION = "/v1/services";

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "name what to do: create, list, get, update or delete");
  }

  static String path(String name) {
    return COLLECTION + "/" + AdminClient.segment(name);
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Register a service; it is reachable at NAME.DOMAIN as soon as this returns.")
  static final class Create implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;
    @Mixin ServiceFlags fields;

    @Parameters(index = "0", paramLabel = "NAME", description = "a DNS label, e.g. dash")
    String name;

    @Option(names = "--upstream", required = true, paramLabel = "URL",
        description = "where requests go: http(s)://HOST[:PORT], no path")
    String upstream;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      JsonObject body = new JsonObject().put("name", name).put("upstream", upstream).mergeIn(fields.toJson());
      JsonObject created = admin.client().post(COLLECTION, body);
      PrintWriter out = spec.commandLine().getOut();
      if (format == Tables.Format.json) {
        out.println(created.encodePrettily());
      } else {
        out.println("Created service " + created.getString("name") + ".");
        ServiceTable.describe(created, out);
      }
      out.flush();
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List all services.")
  static final class ListServices implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      JsonObject answer = admin.client().get(COLLECTION);
      Tables.list(answer, "services", format,
          "No services. Register one with: portcullis services create NAME --upstream URL",
          ServiceTable.HEADER, ServiceTable::row, spec.commandLine().getOut());
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one service.")
  static final class Get implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--format", paramLabel = "json|table", defaultValue = "json",
        description = "output: json (default) or table")
    Tables.Format format;

    @Override
    public void run() {
      JsonObject service = admin.client().get(path(name));
      PrintWriter out = spec.commandLine().getOut();
      if (format == Tables.Format.json) {
        out.println(service.encodePrettily());
      } else {
        ServiceTable.describe(service, out);
      }
      out.flush();
    }
  }

  @Command(name = "update", mixinStandardHelpOptions = true,
      description = "Change the given fields of a service; the others keep their values.")
  static final class Update implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;
    @Mixin ServiceFlags fields;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--upstream", paramLabel = "URL", description = "where requests go: http(s)://HOST[:PORT], no path")
    String upstream;

    @Option(names = "--clear-hosts", description = "remove all extra host names")
    boolean clearHosts;

    @Option(names = "--etag", paramLabel = "ETAG",
        description = "change only if the service is still at this etag (from get); otherwise fail with a conflict")
    String etag;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      if (clearHosts && fields.hosts != null) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--clear-hosts and --host exclude each other: --host alone replaces the list");
      }
      JsonObject body = fields.toJson();
      if (upstream != null) {
        body.put("upstream", upstream);
      }
      if (clearHosts) {
        body.put("hosts", new JsonArray());
      }
      if (body.isEmpty()) {
        throw new CommandLine.ParameterException(spec.commandLine(), "nothing to change: give at least one of "
            + "--upstream, --project, --host, --clear-hosts, --[no-]iap, --ingress, --connect-timeout, "
            + "--response-timeout, --idle-timeout, or another field's flag (see --help)");
      }
      JsonObject updated = admin.client().patch(path(name), body, Optional.ofNullable(etag));
      PrintWriter out = spec.commandLine().getOut();
      if (format == Tables.Format.json) {
        out.println(updated.encodePrettily());
      } else {
        out.println("Updated service " + updated.getString("name") + ".");
        ServiceTable.describe(updated, out);
      }
      out.flush();
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Remove a service; its hosts answer 404 as soon as this returns.")
  static final class Delete implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--etag", paramLabel = "ETAG",
        description = "delete only if the service is still at this etag (from get); otherwise fail with a conflict")
    String etag;

    @Override
    public void run() {
      JsonObject deleted = admin.client().delete(path(name), Optional.ofNullable(etag));
      PrintWriter out = spec.commandLine().getOut();
      out.println("Deleted service " + deleted.getString("name", name) + ".");
      out.flush();
    }
  }

  /** Plain-text renderings for people; scripts use --format json. */
  static final class ServiceTable {
    private ServiceTable() {}

    static final String[] HEADER = {"NAME", "PROJECT", "URL", "UPSTREAM", "IAP", "INGRESS", "HOSTS"};

    static String[] row(JsonObject s) {
      return new String[] {
          s.getString("name", ""), s.getString("project", ""), s.getString("url", ""),
          s.getString("upstream", ""), String.valueOf(s.getBoolean("iap", false)), s.getString("ingress", ""),
          hosts(s)};
    }

    static void describe(JsonObject s, PrintWriter out) {
      JsonObject t = s.getJsonObject("timeouts", new JsonObject());
      String[][] rows = {
          {"name", s.getString("name", "")},
          {"project", s.getString("project", "")},
          {"url", s.getString("url", "")},
          {"upstream", s.getString("upstream", "")},
          {"hosts", hosts(s).isEmpty() ? "-" : hosts(s)},
          {"iap", String.valueOf(s.getBoolean("iap", false))},
          {"ingress", s.getString("ingress", "")},
          {"timeouts", "connect " + t.getString("connect", "default") + ", response "
              + t.getString("response", "default") + ", idle " + t.getString("idle", "default")},
          {"audience", s.getString("expectedAudience", "")},
          {"assertion", "groups " + s.getBoolean("assertionGroups", false) + ", iap-compatible "
              + s.getBoolean("iapCompatible", false)},
          {"cors", "allow-http-options " + s.getBoolean("allowHttpOptions", false)},
          {"etag", s.getString("etag", "")},
          {"created", s.getString("createTime", "")},
          {"updated", s.getString("updateTime", "")}};
      for (String[] row : rows) {
        out.println(String.format("%-10s%s", row[0] + ":", row[1]));
      }
    }

    private static String hosts(JsonObject s) {
      JsonArray hosts = s.getJsonArray("hosts", new JsonArray());
      List<String> names = new ArrayList<>();
      hosts.forEach(h -> names.add(String.valueOf(h)));
      return String.join(",", names);
    }
  }
}
