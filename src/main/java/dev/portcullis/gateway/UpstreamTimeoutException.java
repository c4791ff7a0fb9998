package dev.portcullis.gateway;

/** The upstream sent no response headers within the service's response timeout. */
final class UpstreamTimeoutException extends RuntimeException {
  UpstreamTimeoutException(long millis) {
    super("no response within " + millis + " ms", null, false, false);
  }
}
