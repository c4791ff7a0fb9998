package dev.portcullis.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.directory.DirectorySnapshot.Membership;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The snapshot built by hand, without a store: what the decision engine reads. */
class DirectorySnapshotTest {

  static Group group(String email) {
    return new Group(email, Optional.empty(), Optional.empty(), 1, Instant.EPOCH, Instant.EPOCH);
  }

  static ServiceAccount account(String id, boolean disabled) {
    return new ServiceAccount(ServiceAccountName.email(id, "default"), "default", Optional.empty(), Optional.empty(),
        disabled, 1, Instant.EPOCH, Instant.EPOCH);
  }

  /** team-a in qa in eng in all; ana in team-a. */
  static DirectorySnapshot threeDeep() {
    DirectorySnapshot.Builder b = new DirectorySnapshot.Builder();
    for (String g : List.of("all@x.com", "eng@x.com", "qa@x.com", "team-a@x.com", "other@x.com")) {
      b.group(group(g));
    }
    b.member("all@x.com", "group:eng@x.com");
    b.member("eng@x.com", "group:qa@x.com");
    b.member("qa@x.com", "group:team-a@x.com");
    b.member("team-a@x.com", "user:ana@x.com");
    b.member("other@x.com", "user:bo@x.com");
    return b.build(7);
  }

  @Test
  void groupsOf_followsNestingThreeDeep() {
    DirectorySnapshot s = threeDeep();

    assertThat(s.groupsOf("user:ana@x.com")).containsExactly("all@x.com", "eng@x.com", "qa@x.com", "team-a@x.com");
    assertThat(s.groupsOf("user:bo@x.com")).containsExactly("other@x.com");
    assertThat(s.isMember("user:ana@x.com", "all@x.com")).isTrue();
    assertThat(s.isMember("user:ana@x.com", "other@x.com")).isFalse();
    assertThat(s.isMember("user:bo@x.com", "eng@x.com")).isFalse();
    assertThat(s.version()).isEqualTo(7);
  }

  @Test
  void groupsOf_aGroup_isTheGroupsAboveIt_notItself() {
    DirectorySnapshot s = threeDeep();

    assertThat(s.groupsOf("group:qa@x.com")).containsExactly("all@x.com", "eng@x.com");
    assertThat(s.groupsOf("group:all@x.com")).isEmpty();
    assertThat(s.isMember("group:qa@x.com", "qa@x.com")).isFalse();
  }

  @Test
  void groupsOf_unknownOrMalformed_isNoGroup() {
    DirectorySnapshot s = threeDeep();

    assertThat(s.groupsOf("user:nobody@x.com")).isEmpty();
    assertThat(s.groupsOf("group:nothing@x.com")).isEmpty();
    assertThat(s.groupsOf("ana@x.com")).isEmpty();
    assertThat(s.groupsOf("")).isEmpty();
    assertThat(s.groupsOf("serviceAccount:ana@x.com")).isEmpty();
    assertThat(s.groupsOf("user:ana@x.com ")).isEmpty();
  }

  @Test
  void groupsOf_isCaseInsensitiveInTheEmail_butNotInTheKind() {
    DirectorySnapshot s = threeDeep();

    assertThat(s.groupsOf("user:ANA@X.com")).containsExactly("all@x.com", "eng@x.com", "qa@x.com", "team-a@x.com");
    assertThat(s.groupsOf("group:QA@x.com")).containsExactly("all@x.com", "eng@x.com");
    assertThat(s.isMember("user:ana@x.com", "ENG@x.com")).isTrue();
    assertThat(s.groupsOf("USER:ana@x.com")).isEmpty();
  }

  @Test
  void diamond_countsEachGroupOnce_andBothDirectGroupsAreUnited() {
    DirectorySnapshot.Builder b = new DirectorySnapshot.Builder();
    for (String g : List.of("top@x.com", "left@x.com", "right@x.com", "solo@x.com")) {
      b.group(group(g));
    }
    b.member("top@x.com", "group:left@x.com");
    b.member("top@x.com", "group:right@x.com");
    b.member("left@x.com", "user:ana@x.com");
    b.member("right@x.com", "user:ana@x.com");
    b.member("solo@x.com", "user:ana@x.com");
    DirectorySnapshot s = b.build(1);

    assertThat(s.groupsOf("user:ana@x.com")).containsExactly("left@x.com", "right@x.com", "solo@x.com", "top@x.com");
    assertThat(s.groupsOf("user:ana@x.com")).hasSize(4);
    assertThat(s.members("top@x.com", true)).extracting(Membership::member)
        .containsExactly("group:left@x.com", "group:right@x.com", "user:ana@x.com");
  }

  @Test
  void groupsOf_isMemoized_withinOneSnapshot() {
    DirectorySnapshot.Builder b = new DirectorySnapshot.Builder();
    b.group(group("a@x.com"));
    b.group(group("b@x.com"));
    b.member("a@x.com", "user:ana@x.com");
    b.member("b@x.com", "user:ana@x.com");
    DirectorySnapshot s = b.build(1);

    assertThat(s.groupsOf("user:ana@x.com")).isSameAs(s.groupsOf("user:ana@x.com"));
  }

  @Test
  void membershipPath_isTheChainFromTheDirectGroupUp() {
    DirectorySnapshot s = threeDeep();

    assertThat(s.membershipPath("user:ana@x.com", "eng@x.com"))
        .contains(List.of("group:team-a@x.com", "group:qa@x.com", "group:eng@x.com"));
    assertThat(s.membershipPath("user:ana@x.com", "team-a@x.com")).contains(List.of("group:team-a@x.com"));
    assertThat(s.membershipPath("group:team-a@x.com", "all@x.com"))
        .contains(List.of("group:qa@x.com", "group:eng@x.com", "group:all@x.com"));
    assertThat(s.membershipPath("user:bo@x.com", "eng@x.com")).isEmpty();
    assertThat(s.membershipPath("user:ana@x.com", "missing@x.com")).isEmpty();
    assertThat(s.membershipPath("not a member", "eng@x.com")).isEmpty();
  }

  @Test
  void members_directOrTransitive_withTheGroupsTheyBelongThrough() {
    DirectorySnapshot s = threeDeep();

    assertThat(s.members("eng@x.com", false)).containsExactly(new Membership("group:qa@x.com", List.of()));
    assertThat(s.members("eng@x.com", true)).containsExactly(
        new Membership("group:qa@x.com", List.of()),
        new Membership("group:team-a@x.com", List.of("group:qa@x.com")),
        new Membership("user:ana@x.com", List.of("group:team-a@x.com", "group:qa@x.com")));
    assertThat(s.directMemberCount("qa@x.com")).isEqualTo(1);
    assertThat(s.members("missing@x.com", true)).isEmpty();
  }

  @Test
  void aCycleInTheStore_doesNotHangTheBuildOrTheQueries() {
    // Refused on write; two replicas racing on a store without serializable writes could still leave one.
    DirectorySnapshot.Builder b = new DirectorySnapshot.Builder();
    b.group(group("a@x.com"));
    b.group(group("b@x.com"));
    b.member("a@x.com", "group:b@x.com");
    b.member("b@x.com", "group:a@x.com");
    b.member("b@x.com", "user:ana@x.com");
    DirectorySnapshot s = b.build(1);

    assertThat(s.groupsOf("user:ana@x.com")).containsExactly("a@x.com", "b@x.com");
    assertThat(s.members("a@x.com", true)).extracting(Membership::member)
        .containsExactly("group:b@x.com", "user:ana@x.com");
  }

  @Test
  void serviceAccounts_existenceAndDisabled() {
    DirectorySnapshot.Builder b = new DirectorySnapshot.Builder();
    b.serviceAccount(account("ci-deploy", false));
    b.serviceAccount(account("old-robot", true));
    DirectorySnapshot s = b.build(1);

    String ci = ServiceAccountName.email("ci-deploy", "default");
    String old = ServiceAccountName.email("old-robot", "default");
    assertThat(s.serviceAccountExists(ci)).isTrue();
    assertThat(s.serviceAccountActive(ci)).isTrue();
    assertThat(s.serviceAccountDisabled(old)).isTrue();
    assertThat(s.serviceAccountActive(old)).isFalse();
    assertThat(s.serviceAccountExists("ghost@default.iam.portcullis.internal")).isFalse();
    assertThat(s.serviceAccountActive("ghost@default.iam.portcullis.internal")).isFalse();
    assertThat(s.serviceAccounts()).extracting(ServiceAccount::email).containsExactly(ci, old);
  }

  @Test
  void groups_areInEmailOrder_andFoundCaseInsensitively() {
    DirectorySnapshot s = threeDeep();

    assertThat(s.groups()).extracting(Group::email)
        .containsExactly("all@x.com", "eng@x.com", "other@x.com", "qa@x.com", "team-a@x.com");
    assertThat(s.group("QA@X.COM")).map(Group::email).contains("qa@x.com");
    assertThat(s.group("none@x.com")).isEmpty();
  }
}
