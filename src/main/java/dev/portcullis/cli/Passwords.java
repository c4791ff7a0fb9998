package dev.portcullis.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A password from standard input (--password-stdin), so that it never appears in a process list or a
 * shell history. One line; its line ending is not part of it.
 */
final class Passwords {
  static final int MAX_BYTES = 4096;

  private Passwords() {}

  static String fromStdin(CommandSpec spec) {
    byte[] bytes;
    try {
      bytes = PortcullisCommand.stdin(spec).readNBytes(MAX_BYTES + 1);
    } catch (IOException e) {
      throw new CliException("cannot read the password from standard input: " + e.getMessage(), 1);
    }
    if (bytes.length > MAX_BYTES) {
      throw usage(spec, "standard input holds more than " + MAX_BYTES + " bytes; give the password alone");
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - (text.endsWith("\r\n") ? 2 : 1));
    }
    if (text.isEmpty()) {
      throw usage(spec, "standard input is empty; pipe the password in, e.g. "
          + "'portcullis users create ana@example.com --password-stdin < password.txt'");
    }
    if (text.contains("\n") || text.contains("\r")) {
      throw usage(spec, "standard input holds more than one line; give the password alone");
    }
    return text;
  }

  private static CommandLine.ParameterException usage(CommandSpec spec, String message) {
    return new CommandLine.ParameterException(spec.commandLine(), "--password-stdin: " + message);
  }
}
