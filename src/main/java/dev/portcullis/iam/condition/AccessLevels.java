package dev.portcullis.iam.condition;

import dev.portcullis.service.FieldError;
import dev.portcullis.service.ValidationException;
import dev.portcullis.store.AccessLevelRepository;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The write path for access levels: validate, write in one store transaction, then rebuild the snapshot
 * and hand it to every listener before returning, so a decision made after the answer already sees the
 * change. The hot path reads {@link #snapshot()}, which never touches the store.
 */
public final class AccessLevels {
  private final AccessLevelRepository repository;
  private final AtomicReference<AccessLevelSnapshot> snapshot;
  private final List<Consumer<AccessLevelSnapshot>> listeners = new CopyOnWriteArrayList<>();

  public AccessLevels(AccessLevelRepository repository) {
    this.repository = repository;
    this.snapshot = new AtomicReference<>(AccessLevelSnapshot.of(repository.list()));
  }

  public AccessLevelSnapshot snapshot() {
    return snapshot.get();
  }

  /** Registers a listener and gives it the current snapshot at once. */
  public void onChange(Consumer<AccessLevelSnapshot> listener) {
    listeners.add(listener);
    listener.accept(snapshot.get());
  }

  /** From the store, for the admin API; the hot path uses {@link #snapshot()}. */
  public Optional<AccessLevel> get(String name) {
    return repository.get(AccessLevel.fullName(name));
  }

  public List<AccessLevel> list() {
    return repository.list();
  }

  public synchronized AccessLevel create(AccessLevel level) {
    check(level);
    AccessLevel stored = repository.create(level);
    refresh();
    return stored;
  }

  public synchronized AccessLevel update(AccessLevel level, Optional<Long> expectedVersion) {
    check(level);
    AccessLevel stored = repository.update(level, expectedVersion);
    refresh();
    return stored;
  }

  /**
   * Changes the stored level with {@code change}, applied to the version read here. Without an expected
   * version the write is still guarded by the version read, so a concurrent change made elsewhere is never
   * overwritten with the old values it replaced: the caller gets a conflict instead.
   */
  public synchronized AccessLevel patch(String name, UnaryOperator<AccessLevel> change,
      Optional<Long> expectedVersion) {
    String full = AccessLevel.fullName(name);
    AccessLevel current = repository.get(full).orElseThrow(() -> AccessLevelRepository.notFound(full));
    AccessLevel changed = change.apply(current);
    if (!changed.name().equals(current.name())) {
      throw new ValidationException("name", "cannot be changed; create a level with the new name instead");
    }
    return update(changed, Optional.of(expectedVersion.orElse(current.version())));
  }

  public synchronized AccessLevel delete(String name, Optional<Long> expectedVersion) {
    AccessLevel deleted = repository.delete(AccessLevel.fullName(name), expectedVersion);
    refresh();
    return deleted;
  }

  /** Re-reads the store and swaps the snapshot; listeners see the new one before this returns. */
  public synchronized void refresh() {
    AccessLevelSnapshot next = AccessLevelSnapshot.of(repository.list());
    snapshot.set(next);
    for (Consumer<AccessLevelSnapshot> l : listeners) {
      l.accept(next);
    }
  }

  private static void check(AccessLevel level) {
    List<FieldError> errors = AccessLevelRules.validate(level);
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
  }
}
