package dev.portcullis.bench;

import dev.portcullis.directory.DirectorySnapshot;
import dev.portcullis.directory.Group;
import dev.portcullis.iam.Binding;
import dev.portcullis.iam.Condition;
import dev.portcullis.iam.Member;
import dev.portcullis.iam.Policy;
import dev.portcullis.iam.PredefinedRoles;
import dev.portcullis.iam.ResourceName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * A generated deployment for the IAM benchmarks, the same for every run (fixed seed).
 *
 * <p>Directory: {@value #USERS} users {@code userN@example.com}; {@value #GROUPS} groups in three levels,
 * 9,000 teams ({@code team-N}) each in one of 900 departments ({@code dept-N}), each in one of 100 divisions
 * ({@code div-N}). An ordinary user is directly in 3 random teams. The three users the benchmarks decide for
 * are each directly in 30 teams, under 15 departments, under 5 divisions: 50 groups, nested three deep.
 *
 * <p>Resources: {@value #PROJECTS} projects {@code proj-N} of 10 services each ({@code svc-N-M}), 1,000
 * services. Policies: {@code chainBindings} of the bindings sit on the chain of the benchmarked service
 * {@code projects/proj-0/services/svc-0-0} (its own policy, its project's and the organization's); the other
 * {@code bindings - chainBindings} are spread round-robin over the other services (90%) and projects (10%).
 * Each ordinary binding names 1 to 3 random users, half of them a group, a tenth a partner domain; nine in
 * ten grant the accessor role, the rest the viewer role (which does not grant access and is filtered out
 * when the snapshot is built). No ordinary binding names any of the benchmarked users or their groups.
 *
 * <p>The last two bindings of proj-0's policy are the grants: {@code group:div-0@example.com} (a division
 * the {@link #ALLOWED} user is in through team and department), and {@code group:div-5@example.com} with the
 * condition {@value #CONDITION} (the {@link #CONDITIONAL} user's). So an allowed decision examines every
 * binding of the service and of the project before it matches, and the {@link #DENIED} user's decision
 * examines every binding on the chain and matches none.
 */
final class Deployment {
  static final int USERS = 100_000;
  static final int GROUPS = 10_000;
  static final int TEAMS = 9_000;
  static final int DEPTS = 900;
  static final int DIVS = 100;
  static final int PROJECTS = 100;
  static final int SERVICES_PER_PROJECT = 10;

  static final int ALLOWED = 7;
  static final int CONDITIONAL = 8;
  static final int DENIED = 9;
  static final String CONDITION = "request.path.startsWith('/reports/')";

  static final ResourceName TARGET = ResourceName.service("proj-0", "svc-0-0");

  final List<Group> groups = new ArrayList<>();
  /** Directory rows as the store hands them: group email, member string. */
  final List<String[]> memberships = new ArrayList<>();
  /** The policies as member strings, before parsing (what the store holds, less the JSON). */
  final Map<ResourceName, List<RawBinding>> rawPolicies = new LinkedHashMap<>();
  final Map<ResourceName, Policy> policies;
  final int totalBindings;

  record RawBinding(String role, List<String> members, Optional<Condition> condition) {
    Binding parse() {
      List<Member> ms = new ArrayList<>(members.size());
      for (String m : members) {
        ms.add(Member.parse(m));
      }
      return new Binding(role, ms, condition);
    }
  }

  static String user(int i) {
    return "user" + i + "@example.com";
  }

  static String team(int i) {
    return "team-" + i + "@example.com";
  }

  static String dept(int i) {
    return "dept-" + i + "@example.com";
  }

  static String div(int i) {
    return "div-" + i + "@example.com";
  }

  /**
   * @param bindings bindings in the whole deployment
   * @param chainBindings bindings on the benchmarked service's chain (at least 10)
   * @param coldUsers extra users {@code coldN@example.com} with the same 50 groups as {@link #ALLOWED}
   */
  Deployment(int bindings, int chainBindings, int coldUsers) {
    if (chainBindings < 10 || bindings < chainBindings) {
      throw new IllegalArgumentException("need 10 <= chainBindings <= bindings");
    }
    Random random = new Random(20261123);
    Instant t = Instant.parse("2026-11-23T00:00:00Z");
    for (int i = 0; i < TEAMS; i++) {
      groups.add(new Group(team(i), Optional.empty(), Optional.empty(), 1, t, t));
    }
    for (int i = 0; i < DEPTS; i++) {
      groups.add(new Group(dept(i), Optional.empty(), Optional.empty(), 1, t, t));
    }
    for (int i = 0; i < DIVS; i++) {
      groups.add(new Group(div(i), Optional.empty(), Optional.empty(), 1, t, t));
    }
    for (int i = 0; i < TEAMS; i++) {
      memberships.add(new String[] {dept(i / 10), "group:" + team(i)});
    }
    for (int i = 0; i < DEPTS; i++) {
      memberships.add(new String[] {div(i / 9), "group:" + dept(i)});
    }

    // The benchmarked users: divisions 5k..5k+4, three departments of each, two teams of each department.
    Set<String> reserved = new HashSet<>();
    int[] special = {ALLOWED, CONDITIONAL, DENIED};
    for (int k = 0; k < special.length; k++) {
      for (String team : fiftyGroupTeams(5 * k, reserved)) {
        memberships.add(new String[] {team, "user:" + user(special[k])});
      }
    }
    for (int c = 0; c < coldUsers; c++) {
      for (String team : fiftyGroupTeams(0, new HashSet<>())) {
        memberships.add(new String[] {team, "user:cold" + c + "@example.com"});
      }
    }
    Set<Integer> reservedTeams = new HashSet<>();
    for (int i = 0; i < TEAMS; i++) {
      if (reserved.contains(team(i))) {
        reservedTeams.add(i);
      }
    }
    for (int u = 0; u < USERS; u++) {
      if (u == ALLOWED || u == CONDITIONAL || u == DENIED) {
        continue;
      }
      for (int j = 0; j < 3; j++) {
        int team;
        do {
          team = random.nextInt(TEAMS);
        } while (reservedTeams.contains(team));
        memberships.add(new String[] {team(team), "user:" + user(u)});
      }
    }

    // Policies.
    int org = Math.max(3, chainBindings / 10);
    int project = Math.max(4, chainBindings / 5);
    int service = chainBindings - org - project;
    List<RawBinding> orgPolicy = new ArrayList<>();
    for (int i = 0; i < org; i++) {
      orgPolicy.add(filler(random, reserved, i == 0 ? PredefinedRoles.VIEWER : null));
    }
    List<RawBinding> projectPolicy = new ArrayList<>();
    for (int i = 0; i < project - 2; i++) {
      projectPolicy.add(filler(random, reserved, null));
    }
    projectPolicy.add(new RawBinding(PredefinedRoles.ACCESSOR, List.of("group:" + div(0)), Optional.empty()));
    projectPolicy.add(new RawBinding(PredefinedRoles.ACCESSOR, List.of("group:" + div(5)),
        Optional.of(new Condition("reports only", "", CONDITION))));
    List<RawBinding> servicePolicy = new ArrayList<>();
    for (int i = 0; i < service; i++) {
      servicePolicy.add(filler(random, reserved, null));
    }
    rawPolicies.put(ResourceName.ORGANIZATION, orgPolicy);
    rawPolicies.put(ResourceName.project("proj-0"), projectPolicy);
    rawPolicies.put(TARGET, servicePolicy);

    int rest = bindings - chainBindings;
    int toProjects = rest / 10;
    for (int i = 0; i < toProjects; i++) {
      ResourceName r = ResourceName.project("proj-" + (1 + i % (PROJECTS - 1)));
      rawPolicies.computeIfAbsent(r, x -> new ArrayList<>()).add(filler(random, reserved, null));
    }
    int services = PROJECTS * SERVICES_PER_PROJECT;
    for (int i = 0; i < rest - toProjects; i++) {
      int s = 1 + i % (services - 1);
      ResourceName r = ResourceName.service("proj-" + s / SERVICES_PER_PROJECT,
          "svc-" + s / SERVICES_PER_PROJECT + "-" + s % SERVICES_PER_PROJECT);
      rawPolicies.computeIfAbsent(r, x -> new ArrayList<>()).add(filler(random, reserved, null));
    }
    this.policies = parsePolicies();
    this.totalBindings = policies.values().stream().mapToInt(p -> p.bindings().size()).sum();
    if (totalBindings != bindings) {
      throw new IllegalStateException("generated " + totalBindings + " bindings, not " + bindings);
    }
  }

  /** The 30 teams under divisions first..first+4 (3 departments each, 2 teams each), added to reserved with their ancestors. */
  private static List<String> fiftyGroupTeams(int firstDiv, Set<String> reserved) {
    List<String> teams = new ArrayList<>();
    for (int dv = firstDiv; dv < firstDiv + 5; dv++) {
      reserved.add(div(dv));
      for (int d = 9 * dv; d < 9 * dv + 3; d++) {
        reserved.add(dept(d));
        for (int t = 10 * d; t < 10 * d + 2; t++) {
          reserved.add(team(t));
          teams.add(team(t));
        }
      }
    }
    return teams;
  }

  private static RawBinding filler(Random random, Set<String> reserved, String role) {
    List<String> members = new ArrayList<>();
    int users = 1 + random.nextInt(3);
    for (int i = 0; i < users; i++) {
      int u;
      do {
        u = random.nextInt(USERS);
      } while (u == ALLOWED || u == CONDITIONAL || u == DENIED);
      members.add("user:" + user(u));
    }
    if (random.nextBoolean()) {
      String g;
      do {
        int n = random.nextInt(GROUPS);
        g = n < TEAMS ? team(n) : n < TEAMS + DEPTS ? dept(n - TEAMS) : div(n - TEAMS - DEPTS);
      } while (reserved.contains(g));
      members.add("group:" + g);
    }
    if (random.nextInt(10) == 0) {
      members.add("domain:partner" + random.nextInt(50) + ".example");
    }
    String r = role != null ? role : random.nextInt(10) == 0 ? PredefinedRoles.VIEWER : PredefinedRoles.ACCESSOR;
    return new RawBinding(r, members, Optional.empty());
  }

  /** Parses the member strings into policies, as the snapshot's reader does with stored bindings. */
  Map<ResourceName, Policy> parsePolicies() {
    Map<ResourceName, Policy> out = new HashMap<>();
    rawPolicies.forEach((resource, raw) -> {
      List<Binding> bindings = new ArrayList<>(raw.size());
      for (RawBinding b : raw) {
        bindings.add(b.parse());
      }
      out.put(resource, new Policy(Policy.versionFor(bindings), "BwE=", bindings));
    });
    return out;
  }

  /** Reads the directory rows into a snapshot, as {@link DirectorySnapshot#load} does from the store. */
  DirectorySnapshot directory(long version) {
    DirectorySnapshot.Builder b = new DirectorySnapshot.Builder();
    for (Group g : groups) {
      b.group(g);
    }
    for (String[] m : memberships) {
      b.member(m[0], m[1]);
    }
    return b.build(version);
  }

  int chainBindingCount() {
    int n = 0;
    for (ResourceName r : TARGET.chain()) {
      n += rawPolicies.getOrDefault(r, List.of()).size();
    }
    return n;
  }
}
