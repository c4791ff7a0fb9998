package dev.portcullis.cli;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** portcullis sessions list|revoke: the admin API's /v1/sessions from the command line. */
@Command(name = "sessions", mixinStandardHelpOptions = true,
    description = "See who is signed in where, and end sign-ins, on a running Portcullis.",
    subcommands = {SessionsCommand.ListSessions.class, SessionsCommand.Revoke.class})
public final class SessionsCommand implements Runnable {
  static final String COLLECTION = "/v1/sessions";
  private static final Map<String, String> FLAGS = Map.of("user", "--user", "id", "ID");

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name what to do: list or revoke");
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List live sessions, newest first: one per sign-in on the sign-in host (central) and one per "
          + "service host it reached.")
  static final class ListSessions implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Option(names = "--user", paramLabel = "EMAIL", description = "only this user's sessions")
    String user;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default) or json")
    Tables.Format format;

    @Override
    public void run() {
      String path = COLLECTION + Optional.ofNullable(user)
          .map(u -> "?user=" + URLEncoder.encode(u.trim(), StandardCharsets.UTF_8)).orElse("");
      JsonObject answer = admin.client(FLAGS::get).get(path);
      Tables.list(answer, "sessions", format,
          user == null ? "No live sessions." : "No live sessions for " + user.trim() + ".",
          new String[] {"ID", "USER", "HOST", "KIND", "CREATED", "LAST SEEN", "EXPIRES", "CLIENT IP"},
          s -> new String[] {
              s.getString("id", ""), s.getString("user", ""), s.getString("host", ""),
              s.getBoolean("central", false) ? "central" : "host", Tables.time(s.getString("createTime")),
              Tables.time(s.getString("lastSeen")), Tables.time(s.getString("expireTime")),
              s.getString("clientIp", "-")},
          spec.commandLine().getOut());
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "End the sign-in a session belongs to, on every host; its next request is refused.")
  static final class Revoke implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "ID", description = "a session id from 'portcullis sessions list'")
    String id;

    @Override
    public void run() {
      String path = COLLECTION + "/" + AdminClient.segment(id.trim());
      JsonObject revoked = admin.client(FLAGS::get).delete(path, Optional.empty());
      PrintWriter out = spec.commandLine().getOut();
      out.println("Revoked session " + revoked.getString("id", id) + " of " + revoked.getString("user", "?")
          + ", and every other session of the same sign-in.");
      out.flush();
    }
  }
}
