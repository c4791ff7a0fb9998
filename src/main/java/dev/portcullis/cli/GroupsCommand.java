package dev.portcullis.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.ArrayList;
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

/** portcullis groups create|list|get|delete|add-member|remove-member|members: /v1/groups from the command line. */
@Command(name = "groups", mixinStandardHelpOptions = true,
    description = "Create groups and manage their members (people, service accounts, other groups) on a running "
        + "Portcullis.",
    subcommands = {
        GroupsCommand.Create.class,
        GroupsCommand.ListGroups.class,
        GroupsCommand.Get.class,
        GroupsCommand.Delete.class,
        GroupsCommand.AddMember.class,
        GroupsCommand.RemoveMember.class,
        GroupsCommand.Members.class})
public final class GroupsCommand implements Runnable {
  static final String COLLECTION = "/v1/groups";
  static final String MEMBER_HELP = "user:EMAIL, serviceAccount:EMAIL or group:EMAIL";

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "name what to do: create, list, get, delete, add-member, remove-member or members");
  }

  static String path(String email) {
    return COLLECTION + "/" + AdminClient.segment(email);
  }

  /** A client whose field errors name this command's argument for the group's email. */
  static AdminClient client(AdminOptions admin, String emailArgument) {
    Map<String, String> flags = Map.of(
        "email", emailArgument,
        "member", "MEMBER",
        "displayName", "--display-name",
        "description", "--description",
        "etag", "--etag",
        "transitive", "--transitive");
    return admin.client(flags::get);
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an empty group.")
  static final class Create implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "EMAIL", description = "the group's address, e.g. eng@example.com")
    String email;

    @Option(names = "--display-name", paramLabel = "NAME", description = "the name shown for the group")
    String displayName;

    @Option(names = "--description", paramLabel = "TEXT", description = "what the group is for")
    String description;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      JsonObject body = new JsonObject().put("email", email);
      if (displayName != null) {
        body.put("displayName", displayName);
      }
      if (description != null) {
        body.put("description", description);
      }
      JsonObject created = client(admin, "EMAIL").post(COLLECTION, body);
      PrintWriter out = spec.commandLine().getOut();
      if (format == Tables.Format.json) {
        out.println(created.encodePrettily());
      } else {
        out.println("Created group " + created.getString("email") + ". Add members with: portcullis groups "
            + "add-member " + created.getString("email") + " user:EMAIL");
      }
      out.flush();
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List all groups.")
  static final class ListGroups implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      JsonObject answer = client(admin, "EMAIL").get(COLLECTION);
      Tables.list(answer, "groups", format, "No groups. Create one with: portcullis groups create EMAIL",
          new String[] {"EMAIL", "NAME", "MEMBERS", "ETAG", "CREATED"},
          g -> new String[] {g.getString("email", ""), g.getString("displayName", "-"),
              String.valueOf(g.getInteger("directMembersCount", 0)), g.getString("etag", ""),
              Tables.time(g.getString("createTime"))},
          spec.commandLine().getOut());
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one group.")
  static final class Get implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @Override
    public void run() {
      PrintWriter out = spec.commandLine().getOut();
      out.println(client(admin, "GROUP").get(path(group)).encodePrettily());
      out.flush();
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a group. It also leaves every group it was a member of; its members lose what it gave them "
          + "on their next request.")
  static final class Delete implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @Option(names = "--etag", paramLabel = "ETAG",
        description = "delete only if the group is still at this etag (from get); otherwise fail with a conflict")
    String etag;

    @Override
    public void run() {
      JsonObject deleted = client(admin, "GROUP").delete(path(group), Optional.ofNullable(etag));
      PrintWriter out = spec.commandLine().getOut();
      out.println("Deleted group " + deleted.getString("email", group) + ".");
      out.flush();
    }
  }

  @Command(name = "add-member", mixinStandardHelpOptions = true,
      description = "Put a person, service account or group directly in a group. A person need not have signed in "
          + "yet; a group or service account must exist, and a group cannot end up inside itself.")
  static final class AddMember implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "GROUP", description = "the group's email")
    String group;

    @Parameters(index = "1", paramLabel = "MEMBER", description = MEMBER_HELP)
    String member;

    @Option(names = "--etag", paramLabel = "ETAG",
        description = "change only if the group is still at this etag (from get); otherwise fail with a conflict")
    String etag;

    @Override
    public void run() {
      JsonObject body = new JsonObject().put("member", member);
      if (etag != null) {
        body.put("etag", etag);
      }
      JsonObject added = client(admin, "GROUP").post(path(group) + "/members", body);
      PrintWriter out = spec.commandLine().getOut();
      out.println("Added " + added.getString("member") + " to group " + added.getString("group") + ".");
      out.flush();
    }
  }

  @Command(name = "remove-member", mixinStandardHelpOptions = true,
      description = "Take a direct member out of a group; it is out (and out of every group it reached through this "
          + "one) from its next request.")
  static final class RemoveMember implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "GROUP", description = "the group's email")
    String group;

    @Parameters(index = "1", paramLabel = "MEMBER", description = MEMBER_HELP)
    String member;

    @Option(names = "--etag", paramLabel = "ETAG",
        description = "change only if the group is still at this etag (from get); otherwise fail with a conflict")
    String etag;

    @Override
    public void run() {
      JsonObject removed = client(admin, "GROUP").delete(path(group) + "/members/" + AdminClient.segment(member),
          Optional.ofNullable(etag));
      PrintWriter out = spec.commandLine().getOut();
      out.println("Removed " + removed.getString("member") + " from group " + removed.getString("group") + ".");
      out.flush();
    }
  }

  @Command(name = "members", mixinStandardHelpOptions = true,
      description = "List a group's members; with --transitive also everyone in it through nested groups.")
  static final class Members implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "GROUP", description = "the group's email")
    String group;

    @Option(names = "--transitive", description = "include members of nested groups, with the groups they are in through")
    boolean transitive;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      JsonObject answer = client(admin, "GROUP").get(path(group) + "/members" + (transitive ? "?transitive=true" : ""));
      Tables.list(answer, "members", format,
          "No members. Add one with: portcullis groups add-member " + group + " user:EMAIL",
          transitive ? new String[] {"MEMBER", "TYPE", "THROUGH"} : new String[] {"MEMBER", "TYPE"},
          this::row, spec.commandLine().getOut());
    }

    private String[] row(JsonObject m) {
      String type = m.getString("type", "");
      String member = m.getString("member", "");
      if (!transitive) {
        return new String[] {member, type};
      }
      JsonArray via = m.getJsonArray("via", new JsonArray());
      List<String> chain = new ArrayList<>();
      via.forEach(v -> chain.add(String.valueOf(v)));
      return new String[] {member, type, chain.isEmpty() ? "direct" : String.join(" → ", chain)};
    }
  }
}
