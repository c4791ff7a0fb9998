package dev.portcullis.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * portcullis iam get-policy|set-policy|add-binding|remove-binding|troubleshoot, in gcloud's spirit. Bindings
 * are changed by read-modify-write with the policy's etag, retried when another change got in between.
 */
@Command(name = "iam", mixinStandardHelpOptions = true,
    description = "Read and change who may do what: IAM policies on the organization, projects and services.",
    subcommands = {IamCommand.GetPolicy.class, IamCommand.SetPolicy.class, IamCommand.AddBinding.class,
        IamCommand.RemoveBinding.class, IamCommand.Troubleshoot.class})
public final class IamCommand implements Runnable {
  private static final int ATTEMPTS = 5;
  private static final String RESOURCE_HELP = "organization, projects/PROJECT or projects/PROJECT/services/SERVICE";

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "name what to do: get-policy, set-policy, add-binding, remove-binding or troubleshoot");
  }

  /** Its own, not {@link Tables.Format}: picocli lists the values in declaration order when --format is wrong. */
  enum Format { json, table }

  static String policyPath(CommandSpec spec, String resource, String verb) {
    String r = resource.trim();
    if (r.startsWith("/") || r.contains(":") || r.contains("?") || r.contains("#") || r.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "RESOURCE: '" + resource + "' is not a resource "
          + "name; use " + RESOURCE_HELP);
    }
    return "/v1/" + r + ":" + verb;
  }

  private static Map<String, String> flags() {
    return Map.of("member", "--member", "url", "--url", "method", "--method", "clientIp", "--client-ip",
        "time", "--time");
  }

  @Command(name = "get-policy", mixinStandardHelpOptions = true,
      description = "Print the policy set on a resource (not what it inherits), as JSON that set-policy takes back.")
  static final class GetPolicy implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "RESOURCE", description = RESOURCE_HELP)
    String resource;

    @Option(names = "--format", paramLabel = "json|table", defaultValue = "json",
        description = "json (default; the shape set-policy reads) or table")
    Format format;

    @Override
    public void run() {
      JsonObject policy = admin.client(f -> null).post(policyPath(spec, resource, "getIamPolicy"), new JsonObject());
      PrintWriter out = spec.commandLine().getOut();
      if (format == Format.json) {
        out.println(policy.encodePrettily());
      } else {
        printTable(policy, out);
      }
      out.flush();
    }
  }

  static void printTable(JsonObject policy, PrintWriter out) {
    JsonArray bindings = policy.getJsonArray("bindings", new JsonArray());
    if (bindings.isEmpty()) {
      out.println("No bindings (etag " + policy.getString("etag", "?") + ").");
      return;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ROLE", "MEMBER", "CONDITION"});
    for (int i = 0; i < bindings.size(); i++) {
      JsonObject b = bindings.getJsonObject(i);
      JsonObject c = b.getJsonObject("condition");
      JsonArray members = b.getJsonArray("members", new JsonArray());
      for (int j = 0; j < members.size(); j++) {
        rows.add(new String[] {b.getString("role", ""), members.getString(j),
            c == null ? "-" : c.getString("title", "") + ": " + c.getString("expression", "")});
      }
    }
    Tables.print(rows, out);
    out.println("etag " + policy.getString("etag", "?"));
  }

  @Command(name = "set-policy", mixinStandardHelpOptions = true,
      description = "Replace the policy on a resource with the one in FILE (JSON or YAML, as get-policy prints it). "
          + "With an etag in the file, a policy changed since it was read is refused; without one it is overwritten.")
  static final class SetPolicy implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "RESOURCE", description = RESOURCE_HELP)
    String resource;

    @Parameters(index = "1", paramLabel = "FILE", description = "the policy, JSON or YAML")
    Path file;

    @Override
    public void run() {
      JsonObject policy = readPolicy(spec, file);
      JsonObject stored = admin.client(f -> f.startsWith("policy") ? "FILE" : null)
          .post(policyPath(spec, resource, "setIamPolicy"), new JsonObject().put("policy", policy));
      PrintWriter out = spec.commandLine().getOut();
      out.println("Updated the IAM policy of " + resource.trim() + ":");
      out.println(stored.encodePrettily());
      out.flush();
    }
  }

  static JsonObject readPolicy(CommandSpec spec, Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "FILE: cannot read " + file + ": " + e.getMessage());
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException | ClassCastException notJson) {
      try {
        Object yaml = new Load(LoadSettings.builder().build()).loadFromString(text);
        if (yaml instanceof Map<?, ?> map) {
          @SuppressWarnings("unchecked")
          JsonObject o = new JsonObject((Map<String, Object>) map);
          return new JsonObject(o.encode());
        }
      } catch (RuntimeException notYaml) {
        // fall through to the error below
      }
      throw new CommandLine.ParameterException(spec.commandLine(), "FILE: " + file + " is neither a JSON nor a YAML "
          + "policy such as {\"bindings\": [{\"role\": \"roles/iap.httpsResourceAccessor\", \"members\": "
          + "[\"group:qa@example.com\"]}]}");
    }
  }

  /** gcloud's --condition: expression=EXPR,title=TITLE[,description=DESC], or "None" for none. */
  static Optional<JsonObject> parseCondition(CommandSpec spec, String raw) {
    if (raw == null || raw.equalsIgnoreCase("none")) {
      return Optional.empty();
    }
    JsonObject c = new JsonObject();
    String rest = raw;
    List<String> keys = List.of("expression=", "title=", "description=");
    while (!rest.isEmpty()) {
      String key = null;
      for (String k : keys) {
        if (rest.startsWith(k)) {
          key = k;
        }
      }
      if (key == null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--condition: expected expression=EXPR,"
            + "title=TITLE[,description=DESC] (or None), got '" + raw + "'");
      }
      rest = rest.substring(key.length());
      int next = rest.length();
      for (String k : keys) {
        int at = rest.indexOf("," + k);
        if (at >= 0 && at < next) {
          next = at;
        }
      }
      c.put(key.substring(0, key.length() - 1), rest.substring(0, next));
      rest = next < rest.length() ? rest.substring(next + 1) : "";
    }
    if (!c.containsKey("expression") || !c.containsKey("title")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--condition needs both expression= and title=, "
          + "e.g. --condition='expression=request.path.startsWith(\"/reports/\"),title=reports only'");
    }
    return Optional.of(c);
  }

  static boolean sameCondition(JsonObject a, Optional<JsonObject> b) {
    if (a == null || b.isEmpty()) {
      return a == null && b.isEmpty();
    }
    return a.getString("expression", "").equals(b.get().getString("expression"))
        && a.getString("title", "").equals(b.get().getString("title"));
  }

  @Command(name = "add-binding", mixinStandardHelpOptions = true,
      description = "Grant a role to a member on a resource, optionally under a CEL condition.")
  static final class AddBinding implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "RESOURCE", description = RESOURCE_HELP)
    String resource;

    @Option(names = "--member", required = true, paramLabel = "MEMBER",
        description = "user:EMAIL, group:EMAIL, serviceAccount:EMAIL, domain:DOMAIN, allAuthenticatedUsers or allUsers")
    String member;

    @Option(names = "--role", required = true, paramLabel = "ROLE", description = "e.g. roles/iap.httpsResourceAccessor")
    String role;

    @Option(names = "--condition", paramLabel = "expression=EXPR,title=TITLE[,description=DESC]",
        description = "grant only when the CEL expression holds for the request")
    String condition;

    @Override
    public void run() {
      Optional<JsonObject> cond = parseCondition(spec, condition);
      AdminClient client = admin.client(field -> field.endsWith(".role") ? "--role"
          : field.contains(".members") ? "--member" : field.contains(".condition") ? "--condition" : null);
      JsonObject stored = modify(spec, client, resource, bindings -> {
        for (int i = 0; i < bindings.size(); i++) {
          JsonObject b = bindings.getJsonObject(i);
          if (role.trim().equals(b.getString("role")) && sameCondition(b.getJsonObject("condition"), cond)) {
            b.getJsonArray("members").add(member.trim());
            return;
          }
        }
        JsonObject b = new JsonObject().put("role", role.trim()).put("members", new JsonArray().add(member.trim()));
        cond.ifPresent(c -> b.put("condition", c));
        bindings.add(b);
      });
      PrintWriter out = spec.commandLine().getOut();
      out.println("Granted " + role.trim() + " to " + member.trim() + " on " + resource.trim()
          + cond.map(c -> " when '" + c.getString("title") + "' holds").orElse("") + ".");
      printTable(stored, out);
      out.flush();
    }
  }

  @Command(name = "remove-binding", mixinStandardHelpOptions = true,
      description = "Take a role away from a member on a resource.")
  static final class RemoveBinding implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "RESOURCE", description = RESOURCE_HELP)
    String resource;

    @Option(names = "--member", required = true, paramLabel = "MEMBER", description = "the member to remove")
    String member;

    @Option(names = "--role", required = true, paramLabel = "ROLE", description = "the role to remove it from")
    String role;

    @Option(names = "--condition", paramLabel = "expression=EXPR,title=TITLE|None",
        description = "only the binding with this condition ('None': the unconditional one)")
    String condition;

    @Option(names = "--all", description = "remove the member from every binding of the role, whatever its condition")
    boolean all;

    @Override
    public void run() {
      Optional<JsonObject> cond = parseCondition(spec, condition);
      AdminClient client = admin.client(f -> null);
      String m = member.trim();
      int[] removed = {0};
      JsonObject stored = modify(spec, client, resource, bindings -> {
        removed[0] = 0;
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < bindings.size(); i++) {
          JsonObject b = bindings.getJsonObject(i);
          if (role.trim().equals(b.getString("role")) && contains(b.getJsonArray("members"), m)) {
            candidates.add(i);
          }
        }
        List<Integer> chosen = new ArrayList<>();
        for (int i : candidates) {
          JsonObject c = bindings.getJsonObject(i).getJsonObject("condition");
          if (all || (condition == null && c == null) || (condition != null && sameCondition(c, cond))) {
            chosen.add(i);
          }
        }
        if (chosen.isEmpty() && !candidates.isEmpty() && condition == null) {
          throw new CommandLine.ParameterException(spec.commandLine(), m + " holds " + role.trim() + " only under "
              + "conditions; name one with --condition, or use --all");
        }
        for (int k = chosen.size() - 1; k >= 0; k--) {
          JsonObject b = bindings.getJsonObject(chosen.get(k));
          JsonArray members = b.getJsonArray("members");
          for (int j = members.size() - 1; j >= 0; j--) {
            if (members.getString(j).equalsIgnoreCase(m)) {
              members.remove(j);
              removed[0]++;
            }
          }
          if (members.isEmpty()) {
            bindings.remove((int) chosen.get(k));
          }
        }
        if (removed[0] == 0) {
          throw new CliException(m + " does not hold " + role.trim() + " on " + resource.trim()
              + (condition == null ? "" : " with that condition") + "; nothing was changed", 1);
        }
      });
      PrintWriter out = spec.commandLine().getOut();
      out.println("Removed " + m + " from " + role.trim() + " on " + resource.trim() + ".");
      printTable(stored, out);
      out.flush();
    }

    private static boolean contains(JsonArray members, String m) {
      for (int i = 0; i < members.size(); i++) {
        if (members.getString(i).equalsIgnoreCase(m)) {
          return true;
        }
      }
      return false;
    }
  }

  /** Read, change, write with the etag; on a conflict read again and redo the change. */
  static JsonObject modify(CommandSpec spec, AdminClient client, String resource,
      java.util.function.Consumer<JsonArray> change) {
    for (int attempt = 1; ; attempt++) {
      JsonObject policy = client.post(policyPath(spec, resource, "getIamPolicy"), new JsonObject());
      JsonArray bindings = policy.getJsonArray("bindings", new JsonArray());
      change.accept(bindings);
      policy.put("bindings", bindings);
      try {
        return client.post(policyPath(spec, resource, "setIamPolicy"), new JsonObject().put("policy", policy));
      } catch (CliException e) {
        if (e.httpStatus() != 409 || attempt == ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  @Command(name = "troubleshoot", mixinStandardHelpOptions = true,
      description = "Explain whether a member may open a URL, and why: the binding that grants it, or each binding "
          + "that could have and why it did not.")
  static final class Troubleshoot implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Option(names = "--member", required = true, paramLabel = "MEMBER",
        description = "user:EMAIL, serviceAccount:EMAIL, or allUsers for an anonymous caller")
    String member;

    @Option(names = "--url", required = true, paramLabel = "URL", description = "the URL, e.g. https://dash.example.com/reports")
    String url;

    @Option(names = "--method", paramLabel = "METHOD", description = "the request method (default GET)")
    String method;

    @Option(names = "--client-ip", paramLabel = "IP", description = "the caller's address, for IP conditions and access levels")
    String clientIp;

    @Option(names = "--time", paramLabel = "RFC3339", description = "decide as of this time (default now)")
    String time;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table", description = "table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      JsonObject body = new JsonObject().put("member", member.trim()).put("url", url.trim());
      if (method != null) {
        body.put("method", method.trim());
      }
      if (clientIp != null) {
        body.put("clientIp", clientIp.trim());
      }
      if (time != null) {
        body.put("time", time.trim());
      }
      JsonObject e = admin.client(flags()::get).post("/v1/iam:troubleshoot", body);
      PrintWriter out = spec.commandLine().getOut();
      if (format == Tables.Format.json) {
        out.println(e.encodePrettily());
      } else {
        printExplanation(e, out);
      }
      out.flush();
    }
  }

  static void printExplanation(JsonObject e, PrintWriter out) {
    boolean allowed = e.getBoolean("allowed", false);
    out.println((allowed ? "ALLOWED: " : "DENIED: ") + e.getString("member") + " on " + e.getString("resource"));
    out.println("  " + e.getString("reason", ""));
    if (e.containsKey("note")) {
      out.println("  note: " + e.getString("note"));
    }
    JsonArray bindings = e.getJsonArray("bindings", new JsonArray());
    if (bindings.isEmpty()) {
      out.println("No binding on this resource or above grants the access permission.");
      return;
    }
    out.println("Bindings that grant access, most specific resource first:");
    for (int i = 0; i < bindings.size(); i++) {
      JsonObject b = bindings.getJsonObject(i);
      out.println((b.getBoolean("grants", false) ? "  [grants] " : "  [no]     ") + b.getString("role") + " on "
          + b.getString("resource"));
      if (b.containsKey("matchedMember")) {
        JsonArray via = b.getJsonArray("via", new JsonArray());
        out.println("           member: " + b.getString("matchedMember")
            + (via.isEmpty() ? "" : " (through " + String.join(" > ", via.stream().map(String::valueOf).toList()) + ")"));
      } else {
        out.println("           members " + b.getJsonArray("members").encode() + ": " + b.getString("notMatched", ""));
      }
      JsonObject c = b.getJsonObject("condition");
      if (c != null) {
        out.println("           condition '" + c.getString("title") + "' = " + c.getBoolean("value")
            + (c.containsKey("error") ? " (" + c.getString("error") + ")" : "") + ": " + c.getString("expression"));
        JsonObject values = c.getJsonObject("values", new JsonObject());
        values.forEach(v -> out.println("             " + v.getKey() + " = " + v.getValue()));
      }
    }
  }
}
