package dev.portcullis;

import dev.portcullis.cli.PortcullisCommand;
import picocli.CommandLine;

/** The portcullis command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // Netty 4.2's default buffer allocator is the newer "adaptive" one; its classic pooled allocator
    // costs measurably less CPU per proxied request here (about 5% in paired runs). Set before any
    // Netty class reads it; -Dio.netty.allocator.type=... on the command line still wins.
    if (System.getProperty("io.netty.allocator.type") == null) {
      System.setProperty("io.netty.allocator.type", "pooled");
    }
    System.exit(PortcullisCommand.commandLine().execute(args));
  }
}
