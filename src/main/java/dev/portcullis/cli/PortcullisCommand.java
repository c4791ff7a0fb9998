package dev.portcullis.cli;

import dev.portcullis.config.ConfigException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root of the command line: serve runs the proxy, the others talk to a running one's admin API. */
@Command(name = "portcullis", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "A self-hosted identity-aware proxy.",
    subcommands = {ServeCommand.class, ServicesCommand.class, UsersCommand.class, SessionsCommand.class,
        IamCommand.class, RolesCommand.class, AccessLevelsCommand.class, GroupsCommand.class,
        ServiceAccountsCommand.class, AuthCommand.class, KeysCommand.class, AuditCommand.class,
        MigrateCommand.class, ExportCommand.class, ImportCommand.class,
        CommandLine.HelpCommand.class})
public final class PortcullisCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private final Map<String, String> environment;
  private final InputStream stdin;

  PortcullisCommand(Map<String, String> environment, InputStream stdin) {
    this.environment = Map.copyOf(environment);
    this.stdin = stdin;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The command line as the process runs it, reading the process environment. */
  public static CommandLine commandLine() {
    return commandLine(System.getenv());
  }

  /** The command line with the given environment in place of the process's (PORTCULLIS_* settings and client variables). */
  public static CommandLine commandLine(Map<String, String> environment) {
    return commandLine(environment, System.in);
  }

  /** The command line with the given environment and standard input (read by --password-stdin). */
  public static CommandLine commandLine(Map<String, String> environment, InputStream stdin) {
    CommandLine cl = new CommandLine(new PortcullisCommand(environment, stdin));
    cl.setParameterExceptionHandler(PortcullisCommand::usageError);
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      if (ex instanceof ConfigException ce) {
        commandLine.getErr().println("portcullis: configuration error: " + oneLine(ce.getMessage()));
        return 2;
      }
      if (ex instanceof CliException ce) {
        commandLine.getErr().println("portcullis: " + ce.getMessage());
        return ce.exitCode();
      }
      throw ex;
    });
    return cl;
  }

  /** A usage mistake: what is wrong and where help is, not the whole help text. */
  private static int usageError(CommandLine.ParameterException ex, String[] args) {
    CommandLine cl = ex.getCommandLine();
    PrintWriter err = cl.getErr();
    err.println("portcullis: " + ex.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
    err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return cl.getCommandSpec().exitCodeOnInvalidInput();
  }

  /** The environment of the command line that runs this command. */
  static Map<String, String> environment(CommandLine.Model.CommandSpec spec) {
    return spec.root().userObject() instanceof PortcullisCommand root ? root.environment : System.getenv();
  }

  /** The standard input of the command line that runs this command. */
  static InputStream stdin(CommandLine.Model.CommandSpec spec) {
    return spec.root().userObject() instanceof PortcullisCommand root ? root.stdin : System.in;
  }

  private static String oneLine(String message) {
    return message.replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
