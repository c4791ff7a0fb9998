package dev.portcullis;

import dev.portcullis.assertion.SigningKeys;
import dev.portcullis.authn.DisabledUsers;
import dev.portcullis.authn.workload.ServiceAccountKeys;
import dev.portcullis.directory.Directory;
import dev.portcullis.iam.Iam;
import dev.portcullis.iam.condition.AccessLevels;
import dev.portcullis.service.ServiceRegistry;
import dev.portcullis.session.Sessions;
import dev.portcullis.store.ChangeFeed;
import java.util.List;
import java.util.Set;

/**
 * What a replica rebuilds when the change feed says another one wrote: each stored table to the
 * in-memory snapshot it feeds. A rebuild that fails throws, and the feed then reconnects and resyncs;
 * the IAM and directory snapshots fail closed meanwhile (see {@link Iam#refresh()}).
 */
final class Replication implements ChangeFeed.Listener {
  private final ServiceRegistry registry;
  private final Directory directory;
  private final Iam iam;
  private final AccessLevels accessLevels;
  private final ServiceAccountKeys serviceAccountKeys;
  private final DisabledUsers disabledUsers;
  private final SigningKeys signingKeys;
  private final Sessions sessions;
  private final java.util.function.Supplier<java.util.Collection<String>> liveSessions;

  Replication(ServiceRegistry registry, Directory directory, Iam iam, AccessLevels accessLevels,
      ServiceAccountKeys serviceAccountKeys, DisabledUsers disabledUsers, SigningKeys signingKeys, Sessions sessions,
      java.util.function.Supplier<java.util.Collection<String>> liveSessions) {
    this.liveSessions = liveSessions;
    this.registry = registry;
    this.directory = directory;
    this.iam = iam;
    this.accessLevels = accessLevels;
    this.serviceAccountKeys = serviceAccountKeys;
    this.disabledUsers = disabledUsers;
    this.signingKeys = signingKeys;
    this.sessions = sessions;
  }

  /**
   * Everything, as at start. Sessions held in memory are dropped rather than trusted: a revocation made
   * while the feed was away would otherwise go unseen; each is read again on its next request. IAM and
   * service account keys are rebuilt by the listeners Portcullis registers on the registry and the
   * directory, so refreshing those two covers them. The sessions that hold open connections are read
   * from the store once: one revoked while the feed was away ends its connections now, not when the
   * session would have expired.
   */
  @Override
  public void resync() {
    sessions.forgetAll();
    disabledUsers.refresh();
    directory.refresh();
    registry.refresh(); // its listeners rebuild IAM
    accessLevels.refresh();
    signingKeys.refresh();
    sessions.recheckRevoked(liveSessions.get());
  }

  @Override
  public void changed(Set<String> tables) {
    // Disabled people and removed memberships first: those are the changes that take access away.
    if (tables.contains("users")) {
      disabledUsers.refresh();
    }
    boolean directoryChanged = tables.contains("groups") || tables.contains("group_members")
        || tables.contains("service_accounts");
    if (directoryChanged) {
      // Its listeners read the service account keys again too.
      directory.refresh();
    }
    boolean services = tables.contains("services") || tables.contains("service_hosts");
    if (services) {
      // Its listeners rebuild IAM too (a deleted service's policy goes with it).
      registry.refresh();
    }
    if (!services && (tables.contains("iam_policies") || tables.contains("custom_roles"))) {
      iam.refresh();
    }
    if (tables.contains("access_levels")) {
      accessLevels.refresh();
    }
    if (!directoryChanged && tables.contains("service_account_keys")) {
      serviceAccountKeys.refresh();
    }
    if (tables.contains("signing_keys")) {
      signingKeys.refresh();
    }
  }

  @Override
  public void sessionsRevoked(List<String> idHashes) {
    sessions.revokedElsewhere(idHashes);
  }
}
