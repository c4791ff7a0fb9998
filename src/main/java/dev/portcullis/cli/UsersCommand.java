package dev.portcullis.cli;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** portcullis users create|list|disable|enable|reset-password: the admin API's /v1/users from the command line. */
@Command(name = "users", mixinStandardHelpOptions = true,
    description = "Create and manage built-in accounts, and list every user, on a running Portcullis.",
    subcommands = {
        UsersCommand.Create.class,
        UsersCommand.ListUsers.class,
        UsersCommand.Disable.class,
        UsersCommand.Enable.class,
        UsersCommand.ResetPassword.class})
public final class UsersCommand implements Runnable {
  static final String COLLECTION = "/v1/users";
  private static final Map<String, String> FLAGS = Map.of(
      "email", "EMAIL",
      "displayName", "--display-name",
      "password", "--password-stdin");

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "name what to do: create, list, disable, enable or reset-password");
  }

  /** POST /v1/users/EMAIL:VERB, the email encoded so that '+', '/' and '%' reach the server as typed. */
  static String method(String email, String verb) {
    return COLLECTION + "/" + AdminClient.segment(email.trim()) + ":" + verb;
  }

  static AdminClient client(AdminOptions admin) {
    return admin.client(FLAGS::get);
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a built-in account. Without --password-stdin a password is generated and shown once.")
  static final class Create implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "EMAIL", description = "the address the person signs in with")
    String email;

    @Option(names = "--display-name", paramLabel = "NAME", description = "the name shown for the account")
    String displayName;

    @Option(names = "--password-stdin",
        description = "read the password (one line, at least 10 characters) from standard input")
    boolean passwordStdin;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      JsonObject body = new JsonObject().put("email", email);
      if (displayName != null) {
        body.put("displayName", displayName);
      }
      if (passwordStdin) {
        body.put("password", Passwords.fromStdin(spec));
      }
      JsonObject created = client(admin).post(COLLECTION, body);
      PrintWriter out = spec.commandLine().getOut();
      if (format == Tables.Format.json) {
        out.println(created.encodePrettily());
      } else {
        out.println("Created built-in account " + created.getString("email") + ".");
        printPassword(created, "Password", out);
      }
      out.flush();
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List all users: built-in accounts and people first seen through an identity provider.")
  static final class ListUsers implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      JsonObject answer = client(admin).get(COLLECTION);
      Tables.list(answer, "users", format,
          "No users. Create a built-in account with: portcullis users create EMAIL",
          new String[] {"EMAIL", "KIND", "PROVIDER", "NAME", "STATUS", "CREATED", "LAST SIGN-IN"},
          u -> new String[] {
              u.getString("email", ""), u.getString("kind", ""), u.getString("provider", ""),
              u.getString("displayName", "-"), status(u), Tables.time(u.getString("createTime")),
              Tables.time(u.getString("lastSignIn"))},
          spec.commandLine().getOut());
    }

    private static String status(JsonObject u) {
      boolean disabled = u.getBoolean("disabled", false);
      boolean locked = u.getBoolean("locked", false);
      return disabled && locked ? "disabled,locked" : disabled ? "disabled" : locked ? "locked" : "active";
    }
  }

  @Command(name = "disable", mixinStandardHelpOptions = true,
      description = "Disable a built-in account: its sessions end now, so its next request is refused, and it "
          + "cannot sign in until enabled.")
  static final class Disable implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @Override
    public void run() {
      JsonObject user = client(admin).post(method(email, "disable"), new JsonObject());
      PrintWriter out = spec.commandLine().getOut();
      out.println("Disabled " + user.getString("email") + "; its sessions are revoked and it cannot sign in.");
      out.flush();
    }
  }

  @Command(name = "enable", mixinStandardHelpOptions = true,
      description = "Enable a disabled built-in account; it can sign in again.")
  static final class Enable implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @Override
    public void run() {
      JsonObject user = client(admin).post(method(email, "enable"), new JsonObject());
      PrintWriter out = spec.commandLine().getOut();
      out.println("Enabled " + user.getString("email") + "; it can sign in again.");
      out.flush();
    }
  }

  @Command(name = "reset-password", mixinStandardHelpOptions = true,
      description = "Set a new password for a built-in account and end its sessions. Without --password-stdin "
          + "a password is generated and shown once.")
  static final class ResetPassword implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @Option(names = "--password-stdin",
        description = "read the new password (one line, at least 10 characters) from standard input")
    boolean passwordStdin;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      JsonObject body = new JsonObject();
      if (passwordStdin) {
        body.put("password", Passwords.fromStdin(spec));
      }
      JsonObject user = client(admin).post(method(email, "resetPassword"), body);
      PrintWriter out = spec.commandLine().getOut();
      if (format == Tables.Format.json) {
        out.println(user.encodePrettily());
      } else {
        out.println("Reset the password of " + user.getString("email") + "; its sessions are revoked.");
        printPassword(user, "New password", out);
      }
      out.flush();
    }
  }

  private static void printPassword(JsonObject answer, String label, PrintWriter out) {
    String password = answer.getString("password");
    if (password != null) {
      out.println(label + " (shown only this once): " + password);
    }
  }
}
