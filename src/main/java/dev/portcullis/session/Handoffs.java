package dev.portcullis.session;

import dev.portcullis.store.SignInStateRepository;
import dev.portcullis.store.SignInStateRepository.Handoff;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Single-use codes that carry a sign-in from the sign-in host to one service host. A code is valid for
 * a minute, on that host only, in the browser that started the sign-in there, and once.
 */
public final class Handoffs {
  static final Duration LIFETIME = Duration.ofSeconds(60);

  private final SignInStateRepository repository;
  private final Clock clock;

  public Handoffs(SignInStateRepository repository, Clock clock) {
    this.repository = repository;
    this.clock = clock;
  }

  /** Blocking. Returns the code to put in the callback URL. */
  public String create(Session central, String host, String returnUrl, String bindingHash) {
    String code = Tokens.newToken();
    repository.putHandoff(Tokens.hash(code), new Handoff(central.idHash(), host, returnUrl, bindingHash),
        clock.instant().plus(LIFETIME));
    return code;
  }

  /** Blocking. The hand-off, once, if the code is genuine, unexpired and meant for this host. */
  public Optional<Handoff> take(String code, String host) {
    if (!Tokens.wellFormed(code)) {
      return Optional.empty();
    }
    return repository.takeHandoff(Tokens.hash(code), clock.instant()).filter(h -> h.host().equals(host));
  }
}
