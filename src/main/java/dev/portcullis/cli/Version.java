package dev.portcullis.cli;

import picocli.CommandLine;

/** The version, from the jar's manifest when packaged. */
public final class Version implements CommandLine.IVersionProvider {
  public static String current() {
    String v = Version.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-dev" : v;
  }

  @Override
  public String[] getVersion() {
    return new String[] {"portcullis " + current()};
  }
}
