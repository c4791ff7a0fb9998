package dev.portcullis.cli;

/** A failure the user can act on, printed as one line without a stack trace. */
public final class CliException extends RuntimeException {
  private final int exitCode;
  private final int httpStatus;

  public CliException(String message, int exitCode) {
    this(message, exitCode, 0);
  }

  /** @param httpStatus the admin API's status when it refused the call, 0 otherwise */
  public CliException(String message, int exitCode, int httpStatus) {
    super(message);
    this.exitCode = exitCode;
    this.httpStatus = httpStatus;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public int exitCode() {
    return exitCode;
  }
}
