package dev.portcullis.gateway;

/** The upstream sent no response headers within the response timeout, or went quiet mid-body for the idle timeout. */
final class UpstreamTimeoutException extends RuntimeException {
  private UpstreamTimeoutException(String message) {
    super(message, null, false, false);
  }

  UpstreamTimeoutException(long millis) {
    this("no response within " + millis + " ms");
  }

  static UpstreamTimeoutException idle(long millis) {
    return new UpstreamTimeoutException("no response data for " + millis + " ms");
  }
}
