package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.authn.Identity;
import dev.portcullis.authn.User;
import dev.portcullis.directory.Group;
import dev.portcullis.directory.MemberName;
import dev.portcullis.service.ValidationException;
import dev.portcullis.session.Session;
import dev.portcullis.session.Tokens;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every store must do, run on SQLite here and on PostgreSQL in {@link PostgresStoreContractTest}:
 * the SQL that differs most between the two (aggregates, CASE with parameters, INSERT ... SELECT), and
 * the read-then-write rules that must hold with concurrent writers.
 */
class StoreContractTest {
  @TempDir Path dir;
  Database db;
  final Clock clock = Clock.systemUTC();

  Database newDatabase() throws Exception {
    return Database.openSqlite(dir.resolve("store.db"));
  }

  @BeforeEach
  void open() throws Exception {
    db = newDatabase();
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void directory_readsEveryMembershipOfEveryMember_andRefusesACycle() {
    GroupRepository groups = new GroupRepository(db, clock);
    for (String g : List.of("a@example.com", "b@example.com", "c@example.com")) {
      groups.create(new Group(g, Optional.empty(), Optional.empty(), 0, Instant.EPOCH, Instant.EPOCH));
    }
    groups.addMember("a@example.com", MemberName.user("ana@example.com"), Optional.empty());
    groups.addMember("b@example.com", MemberName.user("ana@example.com"), Optional.empty());
    groups.addMember("a@example.com", MemberName.group("b@example.com"), Optional.empty());
    groups.addMember("b@example.com", MemberName.group("c@example.com"), Optional.empty());

    Map<String, List<String>> memberships = new HashMap<>();
    List<String> seen = new ArrayList<>();
    groups.readDirectory(new GroupRepository.DirectoryRows() {
      @Override
      public void group(Group g) {
        seen.add(g.email());
      }

      @Override
      public void serviceAccount(dev.portcullis.directory.ServiceAccount sa) {}

      @Override
      public void member(String groupEmail, String member) {
        memberships.computeIfAbsent(member, m -> new ArrayList<>()).add(groupEmail);
      }
    });
    assertThat(seen).containsExactly("a@example.com", "b@example.com", "c@example.com");
    assertThat(memberships.get("user:ana@example.com")).containsExactlyInAnyOrder("a@example.com", "b@example.com");
    assertThat(memberships.get("group:b@example.com")).containsExactly("a@example.com");
    assertThatThrownBy(() -> groups.addMember("c@example.com", MemberName.group("a@example.com"), Optional.empty()))
        .isInstanceOf(ValidationException.class).hasMessageContaining("cycle");
  }

  /** Two writers each adding one edge that alone is fine and together close a cycle: at most one may win. */
  @Test
  void concurrentMemberships_neverBuildACycle() throws Exception {
    GroupRepository groups = new GroupRepository(db, clock);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 10; round++) {
        String x = "x" + round + "@example.com";
        String y = "y" + round + "@example.com";
        for (String g : List.of(x, y)) {
          groups.create(new Group(g, Optional.empty(), Optional.empty(), 0, Instant.EPOCH, Instant.EPOCH));
        }
        CountDownLatch go = new CountDownLatch(1);
        Future<Boolean> one = pool.submit(() -> added(go, () -> groups.addMember(x, MemberName.group(y), Optional.empty())));
        Future<Boolean> two = pool.submit(() -> added(go, () -> groups.addMember(y, MemberName.group(x), Optional.empty())));
        go.countDown();
        assertThat(one.get() && two.get()).as("both edges of a cycle were added in round " + round).isFalse();
        assertThat(one.get() || two.get()).as("neither edge was added in round " + round).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static boolean added(CountDownLatch go, Runnable add) throws InterruptedException {
    go.await();
    try {
      add.run();
      return true;
    } catch (ValidationException | ConflictException e) {
      return false;
    }
  }

  @Test
  void failedPasswords_lockTheAccount_andASuccessClearsIt() {
    UserRepository users = new UserRepository(db, clock);
    User u = users.createLocal("u1", "ana@example.com", Optional.empty(), "hash");
    Instant until = Instant.now().plus(Duration.ofMinutes(15));
    for (int i = 0; i < 3; i++) {
      users.recordFailure(u.id(), 3, until);
    }
    User locked = users.findById(u.id()).orElseThrow();
    assertThat(locked.failedAttempts()).isEqualTo(3);
    assertThat(locked.lockedUntil()).isEqualTo(until.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    users.recordSuccess(u.id());
    assertThat(users.findById(u.id()).orElseThrow().failedAttempts()).isZero();
    users.setDisabled(u.id(), true);
    UserRepository.Disabled disabled = users.disabled();
    assertThat(disabled.ids()).containsExactly(u.id());
    assertThat(disabled.emails()).containsExactly("ana@example.com");
    assertThatThrownBy(() -> users.createLocal("u2", "ana@example.com", Optional.empty(), "hash"))
        .isInstanceOf(ConflictException.class);
  }

  @Test
  void hostSession_isInsertedOnlyUnderALiveParent_andRevocationCoversTheFamily() {
    SessionRepository sessions = new SessionRepository(db);
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Identity id = new Identity("u1", "local:u1", "ana@example.com", "local", Optional.empty());
    Session central = new Session(Tokens.hash(Tokens.newToken()), Tokens.newPublicId(), null, "auth.localhost", id,
        null, now, now, now.plus(Duration.ofHours(1)), now, false, "127.0.0.1", "ua");
    sessions.insert(central);
    Session host = new Session(Tokens.hash(Tokens.newToken()), Tokens.newPublicId(), central.idHash(),
        "dash.localhost", id, null, now, now, central.expireTime(), now, false, null, null);
    assertThat(sessions.insertUnderLiveParent(host, now)).isTrue();
    assertThat(sessions.find(host.idHash())).contains(host);
    assertThat(sessions.listLive(Optional.of("ana@example.com"), now)).hasSize(2);

    assertThat(sessions.revokeFamily(central.idHash())).containsExactlyInAnyOrder(central.idHash(), host.idHash());
    Session late = new Session(Tokens.hash(Tokens.newToken()), Tokens.newPublicId(), central.idHash(),
        "other.localhost", id, null, now, now, central.expireTime(), now, false, null, null);
    assertThat(sessions.insertUnderLiveParent(late, now)).isFalse();
    assertThat(sessions.find(late.idHash())).isEmpty();
    assertThat(sessions.listLive(Optional.empty(), now)).isEmpty();
  }

  @Test
  void handoffCode_isTakenOnce() {
    SignInStateRepository state = new SignInStateRepository(db);
    Instant now = Instant.now();
    state.putHandoff("code", new SignInStateRepository.Handoff("s", "dash.localhost", "/", "b"), now.plusSeconds(60));
    assertThat(state.takeHandoff("code", now)).isPresent();
    assertThat(state.takeHandoff("code", now)).isEmpty();
  }

  @Test
  void policy_staleEtagIsRefused_andConcurrentWritersWithOneEtag_oneWins() throws Exception {
    IamRepository iam = new IamRepository(db, clock);
    IamRepository.StoredPolicy first = iam.setPolicy("organization", "[]", Optional.of(0L), Optional.empty());
    assertThat(first.version()).isEqualTo(1);
    assertThatThrownBy(() -> iam.setPolicy("organization", "[]", Optional.of(0L), Optional.empty()))
        .isInstanceOf(ConflictException.class);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 10; round++) {
        long version = iam.policy("projects/p").version();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
          results.add(pool.submit(() -> {
            go.await();
            try {
              iam.setPolicy("projects/p", "[]", Optional.of(version), Optional.empty());
              return true;
            } catch (ConflictException e) {
              return false;
            }
          }));
        }
        go.countDown();
        assertThat(results.get(0).get() ^ results.get(1).get()).as("exactly one winner in round " + round).isTrue();
        assertThat(iam.policy("projects/p").version()).isEqualTo(version + 1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void signingKeys_rotateInOneTransaction_andMetaKeepsTheFirstValue() {
    SigningKeyRepository keys = new SigningKeyRepository(db);
    Instant t = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    assertThat(keys.initialize(row("k1", SigningKeyRepository.CURRENT, t), row("k2", SigningKeyRepository.NEXT, t)))
        .isTrue();
    assertThat(keys.initialize(row("k8", SigningKeyRepository.CURRENT, t), row("k9", SigningKeyRepository.NEXT, t)))
        .isFalse();
    List<SigningKeyRepository.Row> after = keys.rotate(row("k3", SigningKeyRepository.NEXT, t), t);
    assertThat(after).extracting(SigningKeyRepository.Row::kid).containsExactly("k2", "k3", "k1");
    MetaRepository meta = new MetaRepository(db);
    assertThat(meta.putIfAbsent("key", "first")).isEqualTo("first");
    assertThat(meta.putIfAbsent("key", "second")).isEqualTo("first");
  }

  private static SigningKeyRepository.Row row(String kid, String state, Instant t) {
    return new SigningKeyRepository.Row(kid, state, "{}", "sealed", t, t);
  }
}
