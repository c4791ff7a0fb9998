package dev.portcullis.authn.workload;

/**
 * A bearer token that is refused. The message is fixed text of ours (never the token, never a claim
 * value), safe to send back as the {@code error_description} of {@code WWW-Authenticate}.
 */
public final class BearerException extends Exception {
  public BearerException(String message) {
    super(message, null, false, false);
  }
}
