package dev.portcullis.store;

/** The store could not do what was asked; the message says why in terms an operator can act on. */
public class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreException(String message) {
    super(message);
  }
}
