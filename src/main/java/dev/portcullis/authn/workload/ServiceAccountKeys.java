package dev.portcullis.authn.workload;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.portcullis.authn.Emails;
import dev.portcullis.directory.DirectorySnapshot;
import dev.portcullis.directory.ServiceAccount;
import dev.portcullis.store.NotFoundException;
import dev.portcullis.store.ServiceAccountKeyRepository;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Service account keys: made here (RSA 2048, signing RS256, as Google's), the public half stored, the
 * private half returned once in a {@link KeyFile} and forgotten. Verification reads an immutable map of
 * key id to key, swapped after every change this process makes and whenever the directory changes (a
 * deleted account takes its keys with it), so the hot path never reads the store.
 */
public final class ServiceAccountKeys {
  private static final Logger log = LoggerFactory.getLogger(ServiceAccountKeys.class);
  /** As Google: at most ten keys per account. */
  public static final int MAX_PER_ACCOUNT = 10;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ServiceAccountKeyRepository repository;
  private final Supplier<DirectorySnapshot> directory;
  private final Clock clock;
  private final AtomicReference<Map<String, ServiceAccountKey>> byId = new AtomicReference<>(Map.of());
  private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  public ServiceAccountKeys(ServiceAccountKeyRepository repository, Supplier<DirectorySnapshot> directory,
      Clock clock) {
    this.repository = repository;
    this.directory = directory;
    this.clock = clock;
    refresh();
  }

  /** Re-reads every key from the store and swaps the map; then tells the listeners if it changed. */
  public void refresh() {
    boolean changed;
    synchronized (this) {
      Map<String, ServiceAccountKey> next = repository.list().stream()
          .flatMap(row -> parse(row).stream())
          .collect(Collectors.toUnmodifiableMap(ServiceAccountKey::keyId, k -> k));
      changed = !next.keySet().equals(byId.getAndSet(next).keySet());
    }
    if (changed) {
      for (Runnable listener : listeners) {
        try {
          listener.run();
        } catch (RuntimeException e) {
          log.error("a listener of service account key changes failed", e);
        }
      }
    }
  }

  /** Runs after each refresh that added or removed a key (a deletion here, or seen from another replica). */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  /** The key with this id, if it exists now. Never touches the store. */
  public Optional<ServiceAccountKey> find(String keyId) {
    return keyId == null ? Optional.empty() : Optional.ofNullable(byId.get().get(keyId));
  }

  /** The account's keys, oldest first. */
  public List<ServiceAccountKey> list(String accountEmail) {
    String email = account(accountEmail).email();
    return byId.get().values().stream().filter(k -> k.accountEmail().equals(email))
        .sorted(java.util.Comparator.comparing(ServiceAccountKey::createTime).thenComparing(ServiceAccountKey::keyId))
        .toList();
  }

  /** A new key for the account; the returned file holds the only copy of its private half. */
  public synchronized KeyFile create(String accountEmail) {
    ServiceAccount sa = account(accountEmail);
    String keyId = HexFormat.of().formatHex(randomBytes(20));
    RSAKey pair;
    try {
      pair = new RSAKeyGenerator(2048).keyID(keyId).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
          .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate an RSA key: " + e.getMessage(), e);
    }
    var row = new ServiceAccountKeyRepository.Row(keyId, sa.email(), pair.toPublicJWK().toJSONString(),
        clock.instant().truncatedTo(ChronoUnit.MILLIS));
    repository.create(row, MAX_PER_ACCOUNT);
    refresh();
    log.info("created key {} for service account {}", keyId, sa.email());
    return KeyFile.of(sa, pair, row.createTime());
  }

  /** Deletes the key: a JWT it signed is refused from the next request on. */
  public synchronized void delete(String accountEmail, String keyId) {
    ServiceAccount sa = account(accountEmail);
    repository.delete(sa.email(), keyId);
    refresh();
    log.info("deleted key {} of service account {}", keyId, sa.email());
  }

  private ServiceAccount account(String email) {
    return Emails.normalize(email).flatMap(e -> directory.get().serviceAccount(e))
        .orElseThrow(() -> new NotFoundException("service account " + email + " does not exist"));
  }

  private static Optional<ServiceAccountKey> parse(ServiceAccountKeyRepository.Row row) {
    try {
      return Optional.of(new ServiceAccountKey(row.keyId(), row.accountEmail(), RSAKey.parse(row.publicJwk()),
          row.createTime()));
    } catch (ParseException e) {
      log.error("service account key {} in the store is not a valid RSA JWK; it is ignored", row.keyId());
      return Optional.empty();
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
