package dev.portcullis.cli;

import dev.portcullis.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root of the command line: serve runs the proxy, the others talk to a running one's admin API. */
@Command(name = "portcullis", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "A self-hosted identity-aware proxy.",
    subcommands = {ServeCommand.class, CommandLine.HelpCommand.class})
public final class PortcullisCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new PortcullisCommand());
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      if (ex instanceof ConfigException ce) {
        commandLine.getErr().println("portcullis: configuration error: " + ce.getMessage());
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
}
