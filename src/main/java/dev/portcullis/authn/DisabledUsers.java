package dev.portcullis.authn;

import dev.portcullis.store.UserRepository;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The ids of disabled users, in memory, checked on every request to an IAP service. Disabling revokes
 * the user's sessions too; this closes the window where a sign-in racing with the disable would
 * otherwise leave a live session behind.
 */
public final class DisabledUsers {
  private final UserRepository users;
  private final AtomicReference<UserRepository.Disabled> disabled;

  public DisabledUsers(UserRepository users) {
    this.users = users;
    this.disabled = new AtomicReference<>(users.disabled());
  }

  /** Re-reads the store. Blocking; called after every change to a user's disabled flag. */
  public void refresh() {
    disabled.set(users.disabled());
  }

  /**
   * Whether a disabled account has this (lower-case) email: a person who reaches Portcullis by a bearer
   * token from a trusted issuer, rather than by signing in, is refused by email.
   */
  public boolean containsEmail(String email) {
    return disabled.get().emails().contains(email);
  }

  public boolean contains(String userId) {
    return disabled.get().ids().contains(userId);
  }
}
