package dev.portcullis.authn.local;

import dev.portcullis.authn.Emails;
import dev.portcullis.authn.User;
import dev.portcullis.service.ValidationException;
import dev.portcullis.store.NotFoundException;
import dev.portcullis.store.UserRepository;
import dev.portcullis.session.Tokens;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** Built-in accounts: create, sign in with lockout and throttling, disable, enable, reset password. */
public final class LocalAccounts {
  public static final int MIN_PASSWORD_LENGTH = 10;
  static final int LOCK_AFTER = 5;
  static final Duration LOCK_FOR = Duration.ofMinutes(15);

  /** The outcome of a password sign-in. Only SUCCESS carries a user. */
  public record Result(Outcome outcome, Optional<User> user) {
    static Result of(Outcome o) {
      return new Result(o, Optional.empty());
    }
  }

  public enum Outcome { SUCCESS, INVALID, LOCKED, THROTTLED }

  private final UserRepository users;
  private final PasswordHasher hasher;
  private final LoginThrottle throttle;
  private final Clock clock;

  public LocalAccounts(UserRepository users, PasswordHasher hasher, LoginThrottle throttle, Clock clock) {
    this.users = users;
    this.hasher = hasher;
    this.throttle = throttle;
    this.clock = clock;
  }

  public User create(String email, Optional<String> displayName, String password) {
    String e = Emails.normalize(email).orElseThrow(() -> new ValidationException("email",
        "'" + email + "' is not an email address; use one like ana@example.com"));
    checkPassword(password);
    return users.createLocal(Tokens.newPublicId(), e, displayName, hasher.hash(password));
  }

  /** Checks a password. Unknown accounts, wrong passwords and disabled accounts all answer INVALID. */
  public Result signIn(String email, String password, String clientIp) {
    Optional<String> e = Emails.normalize(email);
    String key = e.orElse("invalid");
    if (throttle.clientBlocked(clientIp)) {
      return Result.of(Outcome.THROTTLED);
    }
    if (throttle.accountBlocked(key)) {
      return Result.of(Outcome.LOCKED);
    }
    Optional<User> user = e.flatMap(users::findLocal);
    if (user.isPresent() && user.get().lockedUntil().isAfter(clock.instant())) {
      return Result.of(Outcome.LOCKED);
    }
    boolean ok = hasher.verify(password == null ? "" : password, user.flatMap(User::passwordHash));
    if (!ok || user.get().disabled()) {
      throttle.failed(key, clientIp);
      user.ifPresent(u -> users.recordFailure(u.id(), LOCK_AFTER, clock.instant().plus(LOCK_FOR)));
      return Result.of(Outcome.INVALID);
    }
    throttle.succeeded(key);
    users.recordSuccess(user.get().id());
    return new Result(Outcome.SUCCESS, user);
  }

  public User setDisabled(String email, boolean disabled) {
    return users.setDisabled(find(email).id(), disabled);
  }

  /** Sets a new password and lifts any lockout, the store's and this process's throttle alike. */
  public User resetPassword(String email, String password) {
    checkPassword(password);
    User u = users.setPassword(find(email).id(), hasher.hash(password));
    throttle.succeeded(u.email());
    return u;
  }

  public User find(String email) {
    return Emails.normalize(email).flatMap(users::findLocal)
        .orElseThrow(() -> new NotFoundException("no built-in account for " + email));
  }

  /** A password for a new account: 20 characters from an alphabet without look-alikes. */
  public static String generatePassword() {
    String alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    SecureRandom r = new SecureRandom();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      b.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  private static void checkPassword(String password) {
    if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
      throw new ValidationException("password", "must be at least " + MIN_PASSWORD_LENGTH + " characters long");
    }
    if (password.length() > 256) {
      throw new ValidationException("password", "must be at most 256 characters long");
    }
  }
}
