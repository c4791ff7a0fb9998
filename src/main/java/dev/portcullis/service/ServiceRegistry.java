package dev.portcullis.service;

import dev.portcullis.store.NotFoundException;
import dev.portcullis.store.ServiceRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The write path for services: validate, write in one store transaction, then rebuild the in-memory
 * catalog and hand it to every listener before returning, so the caller's answer is never ahead of routing.
 * Reads on the hot path go to {@link #catalog()}, which never touches the store.
 */
public final class ServiceRegistry {
  private final ServiceRepository repository;
  private final String domain;
  private final AtomicReference<ServiceCatalog> catalog;
  private final List<Consumer<ServiceCatalog>> listeners = new CopyOnWriteArrayList<>();

  public ServiceRegistry(ServiceRepository repository, String domain) {
    this.repository = repository;
    this.domain = domain;
    this.catalog = new AtomicReference<>(new ServiceCatalog(domain, repository.list()));
  }

  public ServiceCatalog catalog() {
    return catalog.get();
  }

  /** Registers a listener and gives it the current catalog at once. */
  public void onChange(Consumer<ServiceCatalog> listener) {
    listeners.add(listener);
    listener.accept(catalog.get());
  }

  public Optional<Service> get(String name) {
    return repository.get(name);
  }

  public List<Service> list() {
    return repository.list();
  }

  public synchronized Service create(Service s) {
    checkRules(s);
    Service stored = repository.create(s);
    refresh();
    return stored;
  }

  public synchronized Service update(Service s, Optional<Long> expectedVersion) {
    checkRules(s);
    Service stored = repository.update(s, expectedVersion);
    refresh();
    return stored;
  }

  /**
   * Changes the stored service with {@code change}, applied to the version read here. Without an expected
   * version the write is still guarded by the version read, so a concurrent change made elsewhere is never
   * overwritten with the old values it replaced: the caller gets a conflict instead and may read again.
   */
  public synchronized Service patch(String name, UnaryOperator<Service> change, Optional<Long> expectedVersion) {
    Service current = repository.get(name)
        .orElseThrow(() -> new NotFoundException("service '" + name + "' does not exist"));
    return update(change.apply(current), Optional.of(expectedVersion.orElse(current.version())));
  }

  public synchronized Service delete(String name, Optional<Long> expectedVersion) {
    Service deleted = repository.delete(name, expectedVersion);
    refresh();
    return deleted;
  }

  /** Re-reads the store and swaps the catalog; listeners see the new one before this returns. */
  public synchronized void refresh() {
    ServiceCatalog next = new ServiceCatalog(domain, repository.list());
    catalog.set(next);
    for (Consumer<ServiceCatalog> l : listeners) {
      l.accept(next);
    }
  }

  private void checkRules(Service s) {
    List<FieldError> errors = new ArrayList<>(ServiceValidator.validate(s));
    if (errors.isEmpty()) {
      ServiceCatalog current = catalog.get();
      String primary = current.primaryHost(s.name());
      current.hostOwner(primary, s.name()).ifPresent(owner -> errors.add(new FieldError("name",
          "host '" + primary + "' is already an extra host of service '" + owner.name() + "'")));
      for (int i = 0; i < s.hosts().size(); i++) {
        String h = s.hosts().get(i);
        String field = "hosts[" + i + "]";
        if (h.equals(primary)) {
          errors.add(new FieldError(field, "'" + h + "' is already this service's own host; leave it out"));
        } else if (isReservedHost(h)) {
          errors.add(new FieldError(field, "'" + h + "' is reserved for Portcullis itself"));
        } else {
          current.hostOwner(h, s.name()).ifPresent(owner -> errors.add(new FieldError(field,
              "'" + h + "' already routes to service '" + owner.name() + "'")));
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
  }

  private boolean isReservedHost(String h) {
    for (String r : ServiceValidator.RESERVED_NAMES) {
      if (h.equals(r + "." + domain)) {
        return true;
      }
    }
    return false;
  }
}
