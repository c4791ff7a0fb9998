package dev.portcullis.directory;

import dev.portcullis.authn.Emails;
import dev.portcullis.service.FieldError;
import dev.portcullis.service.ServiceValidator;
import dev.portcullis.service.ValidationException;
import dev.portcullis.store.GroupRepository;
import dev.portcullis.store.NotFoundException;
import dev.portcullis.store.ServiceAccountRepository;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The write path for groups, memberships and service accounts: check the rules, write in one store
 * transaction, then rebuild the {@link DirectorySnapshot} and hand it to every listener before returning.
 * A member removed from a group is therefore out of it on the very next request, on this process.
 * Reads answer from the snapshot and never touch the store.
 *
 * <p>A user member need not exist yet: people are created when they first sign in, and a group may be
 * prepared for them beforehand, as in Google Groups. A member group or service account must exist.
 * Deleting a group also takes it out of every group it was in, in the same transaction; deleting a service
 * account takes it out of every group.
 */
public final class Directory {
  public static final int MAX_DISPLAY_NAME = 200;
  public static final int MAX_DESCRIPTION = 4096;

  private final GroupRepository groups;
  private final ServiceAccountRepository accounts;
  private final AtomicReference<DirectorySnapshot> snapshot;
  private final List<Consumer<DirectorySnapshot>> listeners = new CopyOnWriteArrayList<>();
  private long builds;

  public Directory(GroupRepository groups, ServiceAccountRepository accounts) {
    this.groups = groups;
    this.accounts = accounts;
    this.snapshot = new AtomicReference<>(DirectorySnapshot.load(groups, ++builds));
  }

  /** The current snapshot: what the decision engine reads on every request. */
  public DirectorySnapshot snapshot() {
    return snapshot.get();
  }

  /** Registers a listener and gives it the current snapshot at once; it then sees every new one before the change returns. */
  public void onChange(Consumer<DirectorySnapshot> listener) {
    listeners.add(listener);
    listener.accept(snapshot.get());
  }

  /** Re-reads the store and swaps the snapshot; listeners see the new one before this returns. */
  public synchronized void refresh() {
    DirectorySnapshot next;
    try {
      next = DirectorySnapshot.load(groups, ++builds);
    } catch (RuntimeException e) {
      // Fail closed: a removed membership may already be in the store. Until a rebuild succeeds, nobody is
      // in any group (and service accounts are unknown), so no grant rests on stale memberships.
      failClosed();
      throw e;
    }
    stale = false;
    publish(next);
  }

  private volatile boolean stale;

  /** Nobody is in any group until the next successful {@link #refresh()}. */
  public synchronized void failClosed() {
    stale = true;
    publish(DirectorySnapshot.empty());
  }

  /** True after a failed rebuild, until one succeeds. */
  public boolean stale() {
    return stale;
  }

  private void publish(DirectorySnapshot next) {
    snapshot.set(next);
    for (Consumer<DirectorySnapshot> l : listeners) {
      l.accept(next);
    }
  }

  // Groups

  public List<Group> listGroups() {
    return snapshot().groups();
  }

  public Optional<Group> group(String email) {
    return Emails.normalize(email).flatMap(e -> snapshot().group(e));
  }

  public synchronized Group createGroup(String email, Optional<String> displayName, Optional<String> description) {
    List<FieldError> errors = newGroupErrors(email, displayName, description);
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    String e = Emails.normalize(email).orElseThrow();
    Group created = groups.create(new Group(e, displayName, description, 0, Instant.EPOCH, Instant.EPOCH));
    refresh();
    return created;
  }

  /** What is wrong with a new group, field by field; empty when {@link #createGroup} would accept it. */
  public static List<FieldError> newGroupErrors(String email, Optional<String> displayName,
      Optional<String> description) {
    List<FieldError> errors = new ArrayList<>();
    Optional<String> why = Emails.whyInvalid(email);
    if (email != null && email.startsWith(MemberName.Kind.GROUP.prefix() + ":")) {
      errors.add(new FieldError("email", "give the group's address without 'group:', e.g. "
          + email.substring(MemberName.Kind.GROUP.prefix().length() + 1)));
    } else if (email == null) {
      errors.add(new FieldError("email", "is required, e.g. eng@example.com"));
    } else if (why.isPresent()) {
      errors.add(new FieldError("email", MemberName.quote(email) + " is not an email address: it " + why.get()
          + "; use one like eng@example.com"));
    } else if (ServiceAccountName.inReservedDomain(Emails.normalize(email).orElseThrow())) {
      errors.add(new FieldError("email", "addresses under " + ServiceAccountName.DOMAIN_SUFFIX.substring(1)
          + " name service accounts; choose another address for the group"));
    }
    checkText(displayName, description, errors);
    return errors;
  }

  /**
   * Changes a group's display name or description with {@code change}, applied to the stored group. Without
   * an expected version the write is still guarded by the version read, so a concurrent change is never
   * silently overwritten.
   */
  public synchronized Group updateGroup(String email, UnaryOperator<Group> change, Optional<Long> expectedVersion) {
    String e = groupEmail(email);
    Group current = groups.get(e).orElseThrow(() -> noGroup(e));
    Group changed = change.apply(current);
    List<FieldError> errors = new ArrayList<>();
    checkText(changed.displayName(), changed.description(), errors);
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    Group stored = groups.update(changed, Optional.of(expectedVersion.orElse(current.version())));
    refresh();
    return stored;
  }

  /** Deletes the group; it also leaves every group it was a member of. */
  public synchronized Group deleteGroup(String email, Optional<Long> expectedVersion) {
    String e = groupEmail(email);
    Group[] deleted = new Group[1];
    deleteGuard.delete("group:" + e, () -> {
      deleted[0] = groups.delete(e, expectedVersion);
      refresh();
    });
    return deleted[0];
  }

  /** Runs a deletion of a member, or refuses it (throwing) while something still grants it a role. */
  @FunctionalInterface
  public interface DeleteGuard {
    void delete(String member, Runnable deletion);
  }

  private volatile DeleteGuard deleteGuard = (member, deletion) -> deletion.run();

  /** Set by the IAM write path: groups and service accounts still granted a role are not deleted. */
  public void guardDeletes(DeleteGuard guard) {
    this.deleteGuard = guard;
  }

  /**
   * Puts {@code member} directly in the group. Refused: a member group or service account that does not
   * exist, a group that would end up inside itself (the error names the cycle), an address of the service
   * account domain written as a user, and a member already there.
   */
  public synchronized Group addMember(String groupEmail, MemberName member, Optional<Long> expectedVersion) {
    if (member.kind() == MemberName.Kind.USER && ServiceAccountName.inReservedDomain(member.email())) {
      throw new ValidationException("member", "'" + member + "' is a service account's address; write "
          + MemberName.Kind.SERVICE_ACCOUNT.prefix() + ":" + member.email());
    }
    Group stored = groups.addMember(groupEmail(groupEmail), member, expectedVersion);
    refresh();
    return stored;
  }

  /** Takes {@code member} out of the group; it is out of it (and of every group it reached through it) on the next request. */
  public synchronized Group removeMember(String groupEmail, MemberName member, Optional<Long> expectedVersion) {
    Group stored = groups.removeMember(groupEmail(groupEmail), member, expectedVersion);
    refresh();
    return stored;
  }

  /** The group's direct members, or with {@code transitive} everyone in it through nested groups too. */
  public List<DirectorySnapshot.Membership> members(String groupEmail, boolean transitive) {
    String e = groupEmail(groupEmail);
    DirectorySnapshot s = snapshot();
    if (s.group(e).isEmpty()) {
      throw noGroup(e);
    }
    return s.members(e, transitive);
  }

  // Service accounts

  public List<ServiceAccount> listServiceAccounts() {
    return snapshot().serviceAccounts();
  }

  public Optional<ServiceAccount> serviceAccount(String email) {
    return Emails.normalize(email).flatMap(e -> snapshot().serviceAccount(e));
  }

  /** Creates {@code ACCOUNT_ID@PROJECT.iam.portcullis.internal}, enabled. */
  public synchronized ServiceAccount createServiceAccount(String accountId, String project,
      Optional<String> displayName, Optional<String> description) {
    List<FieldError> errors = newServiceAccountErrors(accountId, project, displayName, description);
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    ServiceAccount created = accounts.create(new ServiceAccount(ServiceAccountName.email(accountId, project), project,
        displayName, description, false, 0, Instant.EPOCH, Instant.EPOCH));
    refresh();
    return created;
  }

  /** What is wrong with a new service account, field by field; empty when {@link #createServiceAccount} would accept it. */
  public static List<FieldError> newServiceAccountErrors(String accountId, String project,
      Optional<String> displayName, Optional<String> description) {
    List<FieldError> errors = new ArrayList<>();
    if (accountId == null) {
      errors.add(new FieldError("accountId", "is required; it " + ServiceAccountName.ACCOUNT_ID_RULE));
    } else if (!ServiceAccountName.validAccountId(accountId)) {
      errors.add(new FieldError("accountId", MemberName.quote(accountId) + " " + ServiceAccountName.ACCOUNT_ID_RULE));
    }
    if (!ServiceValidator.validProject(project)) {
      errors.add(new FieldError("project", ServiceValidator.PROJECT_RULE));
    }
    checkText(displayName, description, errors);
    return errors;
  }

  /** Disables or enables the account; a disabled one is refused on its next request. */
  public synchronized ServiceAccount setServiceAccountDisabled(String email, boolean disabled,
      Optional<Long> expectedVersion) {
    ServiceAccount stored = accounts.setDisabled(serviceAccountEmail(email), disabled, expectedVersion);
    refresh();
    return stored;
  }

  /** Deletes the account and takes it out of every group; a new account of the same name starts in none. */
  public synchronized ServiceAccount deleteServiceAccount(String email, Optional<Long> expectedVersion) {
    String e = serviceAccountEmail(email);
    ServiceAccount[] deleted = new ServiceAccount[1];
    deleteGuard.delete("serviceAccount:" + e, () -> {
      deleted[0] = accounts.delete(e, expectedVersion);
      refresh();
    });
    return deleted[0];
  }

  private static String groupEmail(String raw) {
    return email(raw, "email", "eng@example.com");
  }

  private static String serviceAccountEmail(String raw) {
    return email(raw, "email", "ci-deploy@default" + ServiceAccountName.DOMAIN_SUFFIX);
  }

  private static String email(String raw, String field, String example) {
    Optional<String> why = Emails.whyInvalid(raw);
    if (why.isPresent()) {
      throw new ValidationException(field, MemberName.quote(String.valueOf(raw)) + " is not an email address: it "
          + why.get() + "; use one like " + example);
    }
    return Emails.normalize(raw).orElseThrow();
  }

  private static NotFoundException noGroup(String email) {
    return new NotFoundException("group " + email + " does not exist");
  }

  private static void checkText(Optional<String> displayName, Optional<String> description, List<FieldError> errors) {
    displayName.ifPresent(n -> {
      if (n.isBlank()) {
        errors.add(new FieldError("displayName", "must not be blank; leave it out for none"));
      } else if (n.length() > MAX_DISPLAY_NAME) {
        errors.add(new FieldError("displayName", "must be at most " + MAX_DISPLAY_NAME + " characters long"));
      } else if (n.chars().anyMatch(Character::isISOControl)) {
        errors.add(new FieldError("displayName", "must not contain control characters"));
      }
    });
    description.ifPresent(d -> {
      if (d.length() > MAX_DESCRIPTION) {
        errors.add(new FieldError("description", "must be at most " + MAX_DESCRIPTION + " characters long"));
      } else if (d.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t')) {
        errors.add(new FieldError("description", "must not contain control characters other than newlines and tabs"));
      }
    });
  }
}
