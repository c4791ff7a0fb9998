package dev.portcullis.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.service.ValidationException;
import dev.portcullis.store.AlreadyExistsException;
import dev.portcullis.store.ConflictException;
import dev.portcullis.store.Database;
import dev.portcullis.store.GroupRepository;
import dev.portcullis.store.NotFoundException;
import dev.portcullis.store.ServiceAccountRepository;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The write path against a real SQLite store: rules, transactions, and the snapshot after each change. */
class DirectoryTest {
  static final Optional<String> NONE = Optional.empty();

  Database db;
  Directory directory;

  @BeforeEach
  void open(@TempDir Path dir) {
    db = Database.openSqlite(dir.resolve("store.db"));
    directory = newDirectory();
  }

  @AfterEach
  void close() {
    db.close();
  }

  Directory newDirectory() {
    return new Directory(new GroupRepository(db, Clock.systemUTC()), new ServiceAccountRepository(db, Clock.systemUTC()));
  }

  void groups(String... emails) {
    for (String e : emails) {
      directory.createGroup(e, NONE, NONE);
    }
  }

  void add(String group, String member) {
    directory.addMember(group, MemberName.parse(member).orElseThrow(), Optional.empty());
  }

  @Test
  void addMember_nestingThreeDeep_isInTheSnapshotBeforeItReturns() {
    groups("all@x.com", "eng@x.com", "qa@x.com");
    add("all@x.com", "group:eng@x.com");
    add("eng@x.com", "group:qa@x.com");

    add("qa@x.com", "user:ana@x.com");

    assertThat(directory.snapshot().groupsOf("user:ana@x.com")).containsExactly("all@x.com", "eng@x.com", "qa@x.com");
    assertThat(newDirectory().snapshot().groupsOf("user:ana@x.com")).as("as stored")
        .containsExactly("all@x.com", "eng@x.com", "qa@x.com");
  }

  @Test
  void removeMember_theSnapshotAListenerGetsAlreadyExcludesTheMember() {
    groups("eng@x.com", "qa@x.com");
    add("eng@x.com", "group:qa@x.com");
    add("qa@x.com", "user:ana@x.com");
    List<Set<String>> seen = new ArrayList<>();
    directory.onChange(s -> seen.add(s.groupsOf("user:ana@x.com")));

    directory.removeMember("qa@x.com", MemberName.user("ana@x.com"), Optional.empty());

    assertThat(seen).hasSize(2);
    assertThat(seen.get(0)).containsExactly("eng@x.com", "qa@x.com");
    assertThat(seen.get(1)).isEmpty();
    assertThat(directory.snapshot().isMember("user:ana@x.com", "eng@x.com")).isFalse();
  }

  @Test
  void addMember_refusesADirectCycle_andLeavesTheStoreUnchanged() {
    groups("a@x.com", "b@x.com");
    add("a@x.com", "group:b@x.com");
    long version = directory.group("b@x.com").orElseThrow().version();

    assertThatThrownBy(() -> add("b@x.com", "group:a@x.com"))
        .isInstanceOfSatisfying(ValidationException.class, e -> {
          assertThat(e.errors().get(0).field()).isEqualTo("member");
          assertThat(e.errors().get(0).message()).contains("group:b@x.com → group:a@x.com → group:b@x.com");
        });

    Directory reread = newDirectory();
    assertThat(reread.members("b@x.com", false)).isEmpty();
    assertThat(reread.group("b@x.com").orElseThrow().version()).isEqualTo(version);
    assertThat(directory.snapshot().groupsOf("group:a@x.com")).isEmpty();
  }

  @Test
  void addMember_refusesAnIndirectCycle_andAGroupInItself() {
    groups("a@x.com", "b@x.com", "c@x.com");
    add("a@x.com", "group:b@x.com");
    add("b@x.com", "group:c@x.com");

    assertThatThrownBy(() -> add("c@x.com", "group:a@x.com"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("group:c@x.com → group:a@x.com → group:b@x.com → group:c@x.com");
    assertThatThrownBy(() -> add("a@x.com", "group:a@x.com"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("group:a@x.com → group:a@x.com");

    assertThat(newDirectory().members("c@x.com", false)).isEmpty();
    assertThat(newDirectory().members("a@x.com", false)).extracting(m -> m.member()).containsExactly("group:b@x.com");
  }

  @Test
  void addMember_aMemberGroupOrServiceAccountMustExist_aUserNeedNot() {
    groups("eng@x.com");

    assertThatThrownBy(() -> add("eng@x.com", "group:ghost@x.com"))
        .isInstanceOf(ValidationException.class).hasMessageContaining("there is no group ghost@x.com");
    assertThatThrownBy(() -> add("eng@x.com", "serviceAccount:robot-1@default.iam.portcullis.internal"))
        .isInstanceOf(ValidationException.class).hasMessageContaining("there is no service account");
    add("eng@x.com", "user:not-signed-in-yet@x.com");

    assertThat(directory.members("eng@x.com", false)).extracting(m -> m.member())
        .containsExactly("user:not-signed-in-yet@x.com");
  }

  @Test
  void addMember_refusesAServiceAccountAddressWrittenAsAUser_andARepeat() {
    groups("eng@x.com");
    add("eng@x.com", "user:ana@x.com");

    assertThatThrownBy(() -> add("eng@x.com", "user:ci-deploy@default.iam.portcullis.internal"))
        .isInstanceOf(ValidationException.class).hasMessageContaining("write serviceAccount:");
    assertThatThrownBy(() -> add("eng@x.com", "user:ANA@x.com"))
        .isInstanceOf(AlreadyExistsException.class).hasMessageContaining("already a member");
  }

  @Test
  void memberChanges_moveTheGroupsEtag_andAStaleEtagIsRefused() {
    groups("eng@x.com");
    long v1 = directory.group("eng@x.com").orElseThrow().version();
    add("eng@x.com", "user:ana@x.com");
    long v2 = directory.group("eng@x.com").orElseThrow().version();
    assertThat(v2).isGreaterThan(v1);

    assertThatThrownBy(() -> directory.removeMember("eng@x.com", MemberName.user("ana@x.com"), Optional.of(v1)))
        .isInstanceOf(ConflictException.class).hasMessageContaining("etag");
    assertThatThrownBy(() -> directory.deleteGroup("eng@x.com", Optional.of(v1))).isInstanceOf(ConflictException.class);
    assertThat(directory.snapshot().isMember("user:ana@x.com", "eng@x.com")).isTrue();

    directory.removeMember("eng@x.com", MemberName.user("ana@x.com"), Optional.of(v2));
    assertThat(directory.snapshot().isMember("user:ana@x.com", "eng@x.com")).isFalse();
  }

  @Test
  void deleteGroup_removesItFromTheGroupsItWasIn_andItsMembersLoseThatPath() {
    groups("all@x.com", "eng@x.com", "qa@x.com");
    add("all@x.com", "group:eng@x.com");
    add("eng@x.com", "group:qa@x.com");
    add("qa@x.com", "user:ana@x.com");
    add("all@x.com", "user:bo@x.com");
    long allVersion = directory.group("all@x.com").orElseThrow().version();

    directory.deleteGroup("eng@x.com", Optional.empty());

    DirectorySnapshot s = directory.snapshot();
    assertThat(s.groupsOf("user:ana@x.com")).containsExactly("qa@x.com");
    assertThat(s.members("all@x.com", false)).extracting(m -> m.member()).containsExactly("user:bo@x.com");
    assertThat(s.group("eng@x.com")).isEmpty();
    assertThat(s.group("all@x.com").orElseThrow().version()).isGreaterThan(allVersion);
    assertThat(newDirectory().snapshot().members("all@x.com", true)).extracting(m -> m.member())
        .containsExactly("user:bo@x.com");

    directory.createGroup("eng@x.com", NONE, NONE);
    assertThat(directory.members("eng@x.com", false)).as("a group made again starts empty").isEmpty();
    assertThat(directory.snapshot().groupsOf("group:eng@x.com")).isEmpty();
  }

  @Test
  void emails_areCaseInsensitive_everywhere() {
    directory.createGroup("Eng@X.com", Optional.of("Engineering"), NONE);
    add("ENG@x.com", "user:Ana@X.COM");

    assertThat(directory.group("eng@x.com")).map(Group::email).contains("eng@x.com");
    assertThat(directory.snapshot().groupsOf("user:ana@x.com")).containsExactly("eng@x.com");
    assertThatThrownBy(() -> directory.createGroup("ENG@x.COM", NONE, NONE)).isInstanceOf(AlreadyExistsException.class);
    directory.removeMember("eng@X.com", MemberName.parse("user:ANA@x.com").orElseThrow(), Optional.empty());
    assertThat(directory.snapshot().groupsOf("user:ana@x.com")).isEmpty();
  }

  @Test
  void createGroup_refusesAMalformedOrReservedEmail_andBadText() {
    assertThatThrownBy(() -> directory.createGroup("eng@@x.com", NONE, NONE))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors().get(0).field()).isEqualTo("email"));
    assertThatThrownBy(() -> directory.createGroup("team@default.iam.portcullis.internal", NONE, NONE))
        .isInstanceOf(ValidationException.class).hasMessageContaining("service accounts");
    assertThatThrownBy(() -> directory.createGroup("eng@x.com", Optional.of("a\u0000b"), Optional.of("x".repeat(5000))))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors())
            .extracting(f -> f.field()).containsExactly("displayName", "description"));
    assertThat(directory.listGroups()).isEmpty();
  }

  @Test
  void updateGroup_changesTextAndVersion() {
    Group created = directory.createGroup("eng@x.com", Optional.of("Eng"), NONE);

    Group updated = directory.updateGroup("eng@x.com", g -> new Group(g.email(), Optional.of("Engineering"),
        Optional.of("Everyone who builds"), g.version(), g.createTime(), g.updateTime()), Optional.of(created.version()));

    assertThat(updated.version()).isEqualTo(created.version() + 1);
    assertThat(directory.group("eng@x.com").orElseThrow().displayName()).contains("Engineering");
    assertThatThrownBy(() -> directory.updateGroup("eng@x.com", g -> g, Optional.of(created.version())))
        .isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> directory.updateGroup("ghost@x.com", g -> g, Optional.empty()))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void serviceAccounts_createDisableEnableDelete() {
    ServiceAccount sa = directory.createServiceAccount("ci-deploy", "payments", Optional.of("CI"), NONE);

    assertThat(sa.email()).isEqualTo("ci-deploy@payments.iam.portcullis.internal");
    assertThat(sa.accountId()).isEqualTo("ci-deploy");
    assertThat(sa.resourceName()).isEqualTo("projects/payments/serviceAccounts/ci-deploy@payments.iam.portcullis.internal");
    assertThat(directory.snapshot().serviceAccountActive(sa.email())).isTrue();
    assertThatThrownBy(() -> directory.createServiceAccount("ci-deploy", "payments", NONE, NONE))
        .isInstanceOf(AlreadyExistsException.class);

    directory.setServiceAccountDisabled(sa.email(), true, Optional.of(sa.version()));
    assertThat(directory.snapshot().serviceAccountDisabled(sa.email())).isTrue();
    assertThatThrownBy(() -> directory.setServiceAccountDisabled(sa.email(), false, Optional.of(sa.version())))
        .isInstanceOf(ConflictException.class);
    directory.setServiceAccountDisabled(sa.email(), false, Optional.empty());
    assertThat(directory.snapshot().serviceAccountActive(sa.email())).isTrue();
  }

  @Test
  void deleteServiceAccount_takesItOutOfEveryGroup_andANewOneOfTheSameNameStartsInNone() {
    groups("deployers@x.com");
    ServiceAccount sa = directory.createServiceAccount("ci-deploy", "default", NONE, NONE);
    add("deployers@x.com", "serviceAccount:" + sa.email());
    assertThat(directory.snapshot().groupsOf("serviceAccount:" + sa.email())).containsExactly("deployers@x.com");

    directory.deleteServiceAccount(sa.email(), Optional.empty());

    assertThat(directory.snapshot().serviceAccountExists(sa.email())).isFalse();
    assertThat(directory.members("deployers@x.com", false)).isEmpty();
    directory.createServiceAccount("ci-deploy", "default", NONE, NONE);
    assertThat(directory.snapshot().groupsOf("serviceAccount:" + sa.email())).isEmpty();
  }

  @Test
  void createServiceAccount_refusesBadIdsAndProjects_namingTheField() {
    for (String id : List.of("short", "1starts-with-digit", "ends-with-", "Upper-case", "x".repeat(31), "has_underscore")) {
      assertThatThrownBy(() -> directory.createServiceAccount(id, "default", NONE, NONE))
          .as(id).isInstanceOfSatisfying(ValidationException.class,
              e -> assertThat(e.errors().get(0).field()).isEqualTo("accountId"));
    }
    assertThatThrownBy(() -> directory.createServiceAccount("ci-deploy", "Bad_Project", NONE, NONE))
        .isInstanceOfSatisfying(ValidationException.class,
            e -> assertThat(e.errors().get(0).field()).isEqualTo("project"));
    assertThat(directory.listServiceAccounts()).isEmpty();
  }

  @Test
  void unknownGroup_isNotFound() {
    assertThatThrownBy(() -> directory.members("ghost@x.com", false)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> add("ghost@x.com", "user:ana@x.com")).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> directory.deleteGroup("ghost@x.com", Optional.empty())).isInstanceOf(NotFoundException.class);
    groups("eng@x.com");
    assertThatThrownBy(() -> directory.removeMember("eng@x.com", MemberName.user("ana@x.com"), Optional.empty()))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("not a direct member");
  }
}
