package dev.portcullis.assertion;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.config.MasterKey;
import dev.portcullis.store.SigningKeyRepository;
import dev.portcullis.store.SigningKeyRepository.Row;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key ring that signs assertions. Three states: {@code next} is published but does not sign yet,
 * {@code current} signs, {@code previous} is published only. A rotation moves each key one step on and
 * makes a new next key, so a key is in every replica's published set one rotation before any replica signs
 * with it, and stays published one rotation after it stops signing. Only the current private key is ever
 * opened, once per change of the current key; the ring itself is an immutable value swapped atomically.
 * Every method but {@link #sign} and the readers touches the store and blocks.
 */
public final class SigningKeys {
  private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);

  public enum State {
    NEXT, CURRENT, PREVIOUS;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    static State of(String stored) {
      return valueOf(stored.toUpperCase(Locale.ROOT));
    }
  }

  /** A key as the admin API lists it: never its private half. */
  public record KeyInfo(String kid, State state, String algorithm, Instant createTime, Instant stateTime) {}

  /** One consistent view: the signer for the current key, and what is published. */
  private record Ring(String currentKid, ECDSASigner signer, JWSHeader header, List<KeyInfo> keys, String jwks) {}

  private final SigningKeyRepository repository;
  private final KeySealer sealer;
  private final Clock clock;
  private final AtomicReference<Ring> ring = new AtomicReference<>();

  private SigningKeys(SigningKeyRepository repository, MasterKey masterKey, Clock clock) {
    this.repository = repository;
    this.sealer = new KeySealer(masterKey);
    this.clock = clock;
  }

  /** Loads the ring, creating a current and a next key on the very first start. Blocking. */
  public static SigningKeys open(SigningKeyRepository repository, MasterKey masterKey, Clock clock) {
    SigningKeys keys = new SigningKeys(repository, masterKey, clock);
    if (repository.list().isEmpty()) {
      Instant now = keys.now();
      if (repository.initialize(keys.newRow(State.CURRENT, now), keys.newRow(State.NEXT, now))) {
        log.info("Created the first assertion signing keys");
      }
    }
    // Every key is opened once here, so a wrong master key stops the start rather than a later rotation.
    repository.list().forEach(r -> keys.sealer.open(r.kid(), r.sealedPrivateJwk()));
    keys.refresh();
    return keys;
  }

  /** Reads the keys from the store again (another replica may have rotated). Blocking. */
  public void refresh() {
    install(repository.list());
  }

  /** Rotates: previous dropped, current → previous, next → current, a new next. Blocking. */
  public List<KeyInfo> rotate() {
    Instant now = now();
    List<Row> rows = repository.rotate(newRow(State.NEXT, now), now);
    install(rows);
    Ring r = ring.get();
    log.info("Rotated the assertion signing keys; now signing with {}", r.currentKid());
    return r.keys();
  }

  public List<KeyInfo> list() {
    return ring.get().keys();
  }

  public String currentKid() {
    return ring.get().currentKid();
  }

  /** The published keys (public halves only) as a JWK Set document. */
  public String jwks() {
    return ring.get().jwks();
  }

  /** Signs with the current key: ES256, the key's id as {@code kid}, {@code typ} JWT. */
  public String sign(JWTClaimsSet claims) {
    Ring r = ring.get();
    SignedJWT jwt = new SignedJWT(r.header(), claims);
    try {
      jwt.sign(r.signer());
    } catch (JOSEException e) {
      throw new IllegalStateException("signing an assertion failed: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  private void install(List<Row> rows) {
    Row current = rows.stream().filter(r -> State.of(r.state()) == State.CURRENT).findFirst()
        .orElseThrow(() -> new IllegalStateException("the store holds no current signing key; " + rows.size()
            + " other keys found"));
    Ring before = ring.get();
    ECDSASigner signer;
    JWSHeader header;
    if (before != null && before.currentKid().equals(current.kid())) {
      signer = before.signer();
      header = before.header();
    } else {
      try {
        signer = new ECDSASigner(sealer.open(current.kid(), current.sealedPrivateJwk()));
      } catch (JOSEException e) {
        throw new IllegalStateException("signing key " + current.kid() + " cannot sign: " + e.getMessage(), e);
      }
      header = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(current.kid()).type(JOSEObjectType.JWT).build();
    }
    List<KeyInfo> infos = new ArrayList<>();
    List<JWK> published = new ArrayList<>();
    for (Row r : rows) {
      infos.add(new KeyInfo(r.kid(), State.of(r.state()), JWSAlgorithm.ES256.getName(), r.createTime(),
          r.stateTime()));
      try {
        published.add(ECKey.parse(r.publicJwk()).toPublicJWK());
      } catch (ParseException e) {
        throw new IllegalStateException("the public half of signing key " + r.kid() + " in the store is damaged", e);
      }
    }
    String jwks = new JWKSet(published).toString(true);
    ring.set(new Ring(current.kid(), signer, header, List.copyOf(infos), jwks));
  }

  private Row newRow(State state, Instant now) {
    ECKey key;
    try {
      key = new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256)
          .keyIDFromThumbprint(true).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("generating a signing key failed: " + e.getMessage(), e);
    }
    return new Row(key.getKeyID(), state.wireName(), key.toPublicJWK().toJSONString(), sealer.seal(key), now, now);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }
}
