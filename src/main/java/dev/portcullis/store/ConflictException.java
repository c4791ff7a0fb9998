package dev.portcullis.store;

/** A write lost a race or broke a uniqueness rule: stale etag, name taken, host taken. */
public final class ConflictException extends StoreException {
  public ConflictException(String message) {
    super(message);
  }
}
