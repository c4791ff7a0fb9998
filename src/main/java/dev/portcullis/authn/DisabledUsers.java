package dev.portcullis.authn;

import dev.portcullis.store.UserRepository;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The ids of disabled users, in memory, checked on every request to an IAP service. Disabling revokes
 * the user's sessions too; this closes the window where a sign-in racing with the disable would
 * otherwise leave a live session behind.
 */
public final class DisabledUsers {
  private final UserRepository users;
  private final AtomicReference<Set<String>> ids;

  public DisabledUsers(UserRepository users) {
    this.users = users;
    this.ids = new AtomicReference<>(Set.copyOf(users.disabledIds()));
  }

  /** Re-reads the store. Blocking; called after every change to a user's disabled flag. */
  public void refresh() {
    ids.set(Set.copyOf(users.disabledIds()));
  }

  public boolean contains(String userId) {
    return ids.get().contains(userId);
  }
}
