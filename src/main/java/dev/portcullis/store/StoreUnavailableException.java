package dev.portcullis.store;

/** The store could not be reached (outage, network cut, server restarting): no transaction could run. */
public final class StoreUnavailableException extends StoreException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
