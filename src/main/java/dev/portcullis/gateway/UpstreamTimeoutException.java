package dev.portcullis.gateway;

/** The upstream sent no response headers within the service's response timeout, or went quiet mid-body. */
final class UpstreamTimeoutException extends RuntimeException {
  private UpstreamTimeoutException(String message) {
    super(message, null, false, false);
  }

  static UpstreamTimeoutException response(long millis) {
    return new UpstreamTimeoutException("no response within " + millis + " ms");
  }

  static UpstreamTimeoutException idle(long millis) {
    return new UpstreamTimeoutException("nothing received for " + millis + " ms");
  }
}
