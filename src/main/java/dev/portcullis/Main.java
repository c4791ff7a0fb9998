package dev.portcullis;

import dev.portcullis.cli.PortcullisCommand;
import picocli.CommandLine;

/** The portcullis command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(PortcullisCommand.commandLine().execute(args));
  }
}
