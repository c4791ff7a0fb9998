package dev.portcullis.store;

/** A create named something that is already there: a group, a service account, a membership. */
public final class AlreadyExistsException extends StoreException {
  public AlreadyExistsException(String message) {
    super(message);
  }
}
