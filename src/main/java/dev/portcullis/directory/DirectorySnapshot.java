package dev.portcullis.directory;

import dev.portcullis.store.GroupRepository;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The whole directory at one moment, immutable, read by the decision engine on every request without
 * touching the store. Built from one read of the store after every change, so nothing in it is ever stale
 * with respect to the changes this process has answered.
 *
 * <p>Groups are numbered in email order. For each group the set of groups it is in, itself included and
 * nesting followed, is computed once per snapshot; a user's or service account's groups are the union of
 * those sets over the groups it is directly in, computed on its first request and then kept in this
 * snapshot. That memo is bounded by the directory itself (one slot per known member), not by the callers.
 */
public final class DirectorySnapshot {
  private static final String GROUP_PREFIX = MemberName.Kind.GROUP.prefix() + ":";
  private static final Set<String> NONE = Set.of();

  private final long version;
  private final Group[] groups;
  private final String[] groupEmails;
  private final Map<String, Integer> groupIds;
  private final int[][] parents;
  private final int[][] childGroups;
  private final int[][] directMembers;
  private final GroupSet[] closure;
  private final String[] memberNames;
  private final Map<String, Integer> memberIds;
  private final int[][] memberGroups;
  /** Filled on first use; a racy write of an immutable value is safe, at worst computed twice. */
  private final GroupSet[] memberClosure;
  private final Map<String, ServiceAccount> serviceAccounts;
  private final List<ServiceAccount> serviceAccountList;

  private DirectorySnapshot(long version, Group[] groups, Map<String, Integer> groupIds, int[][] parents,
      int[][] childGroups, int[][] directMembers, String[] memberNames, Map<String, Integer> memberIds,
      int[][] memberGroups, List<ServiceAccount> serviceAccountList) {
    this.version = version;
    this.groups = groups;
    this.groupIds = groupIds;
    this.parents = parents;
    this.childGroups = childGroups;
    this.directMembers = directMembers;
    this.memberNames = memberNames;
    this.memberIds = memberIds;
    this.memberGroups = memberGroups;
    this.memberClosure = new GroupSet[memberNames.length];
    this.serviceAccountList = serviceAccountList;
    this.groupEmails = new String[groups.length];
    for (int g = 0; g < groups.length; g++) {
      groupEmails[g] = groups[g].email();
    }
    Map<String, ServiceAccount> accounts = new HashMap<>();
    serviceAccountList.forEach(sa -> accounts.put(sa.email(), sa));
    this.serviceAccounts = accounts;
    this.closure = new GroupSet[groups.length];
    int[] seen = new int[groups.length];
    int[] queue = new int[groups.length];
    for (int g = 0; g < groups.length; g++) {
      closure[g] = new GroupSet(ancestors(g, seen, queue), groupEmails);
    }
  }

  /** An empty directory. */
  public static DirectorySnapshot empty() {
    return new Builder().build(0);
  }

  /** Reads the whole directory in one store transaction. */
  public static DirectorySnapshot load(GroupRepository repository, long version) {
    Builder b = new Builder();
    repository.readDirectory(b);
    return b.build(version);
  }

  /** Increases with every rebuild in this process. */
  public long version() {
    return version;
  }

  /**
   * The emails of every group {@code member} is in, directly or through nested groups, in email order.
   * {@code member} is a canonical member string ({@code user:EMAIL}, {@code serviceAccount:EMAIL},
   * {@code group:EMAIL}); a group is not counted as in itself. Unknown or malformed members are in no group.
   */
  public Set<String> groupsOf(String member) {
    Set<String> groups = lookup(member);
    if (groups != null) {
      return groups;
    }
    if (hasUpperCase(member)) {
      Optional<MemberName> canonical = MemberName.parse(member);
      if (canonical.isPresent() && !canonical.get().canonical().equals(member)) {
        groups = lookup(canonical.get().canonical());
      }
    }
    return groups == null ? NONE : groups;
  }

  /** The groups of a member string exactly as given; null when the directory does not know it. */
  private Set<String> lookup(String member) {
    Integer id = memberIds.get(member);
    if (id != null) {
      GroupSet s = memberClosure[id];
      if (s == null) {
        s = unionOf(memberGroups[id]);
        memberClosure[id] = s;
      }
      return s;
    }
    if (member.startsWith(GROUP_PREFIX)) {
      Integer g = groupIds.get(member.substring(GROUP_PREFIX.length()));
      return g == null ? null : unionOf(parents[g]);
    }
    return null;
  }

  /** Whether {@code member} is in the group, directly or through nested groups. */
  public boolean isMember(String member, String groupEmail) {
    return groupsOf(member).contains(groupEmail.toLowerCase(Locale.ROOT));
  }

  /**
   * How {@code member} comes to be in the group: the groups from the one it is directly in up to
   * {@code groupEmail}, as member strings, e.g. [group:qa@x, group:eng@x]; the shortest such chain.
   */
  public Optional<List<String>> membershipPath(String member, String groupEmail) {
    Optional<MemberName> m = MemberName.parse(member);
    Integer target = groupIds.get(groupEmail.toLowerCase(Locale.ROOT));
    if (m.isEmpty() || target == null) {
      return Optional.empty();
    }
    int[] start;
    if (m.get().kind() == MemberName.Kind.GROUP) {
      Integer g = groupIds.get(m.get().email());
      start = g == null ? new int[0] : parents[g];
    } else {
      Integer id = memberIds.get(m.get().canonical());
      start = id == null ? new int[0] : memberGroups[id];
    }
    int[] from = new int[groups.length];
    Arrays.fill(from, -2);
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int g : start) {
      from[g] = -1;
      queue.add(g);
    }
    while (!queue.isEmpty()) {
      int g = queue.poll();
      if (g == target) {
        List<String> path = new ArrayList<>();
        for (int at = g; at != -1; at = from[at]) {
          path.add(GROUP_PREFIX + groupEmails[at]);
        }
        Collections.reverse(path);
        return Optional.of(List.copyOf(path));
      }
      for (int p : parents[g]) {
        if (from[p] == -2) {
          from[p] = g;
          queue.add(p);
        }
      }
    }
    return Optional.empty();
  }

  public Optional<Group> group(String email) {
    Integer g = groupIds.get(email.toLowerCase(Locale.ROOT));
    return g == null ? Optional.empty() : Optional.of(groups[g]);
  }

  /** Every group, in email order. */
  public List<Group> groups() {
    return List.of(groups);
  }

  /** How many members are directly in the group (people, service accounts and groups); 0 for an unknown group. */
  public int directMemberCount(String groupEmail) {
    Integer g = groupIds.get(groupEmail.toLowerCase(Locale.ROOT));
    return g == null ? 0 : directMembers[g].length + childGroups[g].length;
  }

  /** One member of a group: its member string, and the nested groups it belongs through (empty when direct). */
  public record Membership(String member, List<String> via) {
    public boolean direct() {
      return via.isEmpty();
    }
  }

  /**
   * The members of a group, sorted by member string; empty when there is no such group. Transitively, every
   * user, service account and group reachable through nested groups, each once, with the shortest chain of
   * groups it belongs through (nearest the member first).
   */
  public List<Membership> members(String groupEmail, boolean transitive) {
    Integer root = groupIds.get(groupEmail.toLowerCase(Locale.ROOT));
    if (root == null) {
      return List.of();
    }
    Map<String, List<String>> found = new HashMap<>();
    if (!transitive) {
      addDirect(root, List.of(), found);
    } else {
      // Breadth first from the group down: the first time a member is reached is through the shortest chain.
      Map<Integer, List<String>> viaOf = new HashMap<>();
      ArrayDeque<Integer> queue = new ArrayDeque<>();
      viaOf.put(root, List.of());
      queue.add(root);
      while (!queue.isEmpty()) {
        int g = queue.poll();
        List<String> via = viaOf.get(g);
        addDirect(g, via, found);
        for (int child : childGroups[g]) {
          if (!viaOf.containsKey(child)) {
            List<String> next = new ArrayList<>(via.size() + 1);
            next.add(GROUP_PREFIX + groupEmails[child]);
            next.addAll(via);
            viaOf.put(child, List.copyOf(next));
            queue.add(child);
          }
        }
      }
      found.remove(GROUP_PREFIX + groupEmails[root]);
    }
    List<Membership> out = new ArrayList<>(found.size());
    found.forEach((member, via) -> out.add(new Membership(member, via)));
    out.sort(Comparator.comparing(Membership::member));
    return out;
  }

  private void addDirect(int g, List<String> via, Map<String, List<String>> found) {
    for (int m : directMembers[g]) {
      found.putIfAbsent(memberNames[m], via);
    }
    for (int child : childGroups[g]) {
      found.putIfAbsent(GROUP_PREFIX + groupEmails[child], via);
    }
  }

  public Optional<ServiceAccount> serviceAccount(String email) {
    return Optional.ofNullable(serviceAccounts.get(email.toLowerCase(Locale.ROOT)));
  }

  /** Every service account, in email order. */
  public List<ServiceAccount> serviceAccounts() {
    return serviceAccountList;
  }

  public boolean serviceAccountExists(String email) {
    return serviceAccount(email).isPresent();
  }

  /** True only for an existing, disabled account: an unknown one is not "disabled", see {@link #serviceAccountActive}. */
  public boolean serviceAccountDisabled(String email) {
    return serviceAccount(email).map(ServiceAccount::disabled).orElse(false);
  }

  /** The check for letting a service account in: it exists and is not disabled. */
  public boolean serviceAccountActive(String email) {
    return serviceAccount(email).map(sa -> !sa.disabled()).orElse(false);
  }

  /** Group g and every group that contains it, directly or not: breadth first up the parents, sorted. */
  private int[] ancestors(int g, int[] seen, int[] queue) {
    if (parents[g].length == 0) {
      return new int[] {g};
    }
    int stamp = g + 1;
    int head = 0;
    int tail = 0;
    queue[tail++] = g;
    seen[g] = stamp;
    while (head < tail) {
      for (int p : parents[queue[head++]]) {
        if (seen[p] != stamp) {
          seen[p] = stamp;
          queue[tail++] = p;
        }
      }
    }
    int[] out = Arrays.copyOf(queue, tail);
    Arrays.sort(out);
    return out;
  }

  /** The groups of a member directly in {@code direct}: one group's closure as is, several merged. */
  private GroupSet unionOf(int[] direct) {
    return switch (direct.length) {
      case 0 -> new GroupSet(direct, groupEmails);
      case 1 -> closure[direct[0]];
      default -> {
        int total = 0;
        for (int g : direct) {
          total += closure[g].ids().length;
        }
        int[] all = new int[total];
        int n = 0;
        for (int g : direct) {
          int[] ids = closure[g].ids();
          System.arraycopy(ids, 0, all, n, ids.length);
          n += ids.length;
        }
        Arrays.sort(all);
        int distinct = 0;
        for (int i = 0; i < all.length; i++) {
          if (i == 0 || all[i] != all[i - 1]) {
            all[distinct++] = all[i];
          }
        }
        yield new GroupSet(distinct == all.length ? all : Arrays.copyOf(all, distinct), groupEmails);
      }
    };
  }

  private static boolean hasUpperCase(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z' || c >= 0x80) {
        return true;
      }
    }
    return false;
  }

  /**
   * Collects the directory row by row (all groups before the memberships that name them) and builds the
   * snapshot. Rows naming a group it has not seen are skipped: the store's foreign keys make them impossible.
   */
  public static final class Builder implements GroupRepository.DirectoryRows {
    private final List<Group> groups = new ArrayList<>();
    private final Map<String, Integer> groupIds = new HashMap<>();
    private final List<ServiceAccount> accounts = new ArrayList<>();
    private final List<IntList> childGroups = new ArrayList<>();
    private final List<IntList> directMembers = new ArrayList<>();
    private final List<String> memberNames = new ArrayList<>();
    private final Map<String, Integer> memberIds = new HashMap<>();
    private final List<IntList> memberGroups = new ArrayList<>();
    private final List<String> pendingGroupEdges = new ArrayList<>();
    private String lastMember;
    private Integer lastMemberId;

    @Override
    public void group(Group g) {
      if (groupIds.putIfAbsent(g.email(), groups.size()) == null) {
        groups.add(g);
        childGroups.add(new IntList());
        directMembers.add(new IntList());
      }
    }

    @Override
    public void serviceAccount(ServiceAccount sa) {
      accounts.add(sa);
    }

    @Override
    public void member(String groupEmail, String member) {
      Integer g = groupIds.get(groupEmail);
      if (g == null) {
        return;
      }
      if (member.startsWith(GROUP_PREFIX)) {
        // Resolved at build: the member group may come later among the groups in a hand-made builder.
        pendingGroupEdges.add(groupEmail);
        pendingGroupEdges.add(member.substring(GROUP_PREFIX.length()));
        return;
      }
      // Rows come member by member: look a member up once, not once per group it is in.
      Integer m = member == lastMember ? lastMemberId : memberIds.get(member);
      if (m == null) {
        m = memberNames.size();
        memberIds.put(member, m);
        memberNames.add(member);
        memberGroups.add(new IntList());
      }
      lastMember = member;
      lastMemberId = m;
      memberGroups.get(m).add(g);
      directMembers.get(g).add(m);
    }

    public DirectorySnapshot build(long version) {
      int n = groups.size();
      // Number the groups in email order.
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Arrays.sort(order, Comparator.comparing(i -> groups.get(i).email()));
      int[] newId = new int[n];
      Group[] sorted = new Group[n];
      Map<String, Integer> ids = new HashMap<>(n * 2);
      for (int i = 0; i < n; i++) {
        newId[order[i]] = i;
        sorted[i] = groups.get(order[i]);
        ids.put(sorted[i].email(), i);
      }
      for (int i = 0; i < pendingGroupEdges.size(); i += 2) {
        Integer parent = groupIds.get(pendingGroupEdges.get(i));
        Integer child = groupIds.get(pendingGroupEdges.get(i + 1));
        if (child != null) {
          childGroups.get(parent).add(child);
        }
      }
      int[][] children = new int[n][];
      int[][] members = new int[n][];
      int[] parentCount = new int[n];
      for (int old = 0; old < n; old++) {
        int g = newId[old];
        children[g] = childGroups.get(old).remapSorted(newId);
        members[g] = directMembers.get(old).remapSorted(null);
        for (int c : children[g]) {
          parentCount[c]++;
        }
      }
      int[][] parents = new int[n][];
      for (int g = 0; g < n; g++) {
        parents[g] = new int[parentCount[g]];
        parentCount[g] = 0;
      }
      for (int g = 0; g < n; g++) {
        for (int c : children[g]) {
          parents[c][parentCount[c]++] = g;
        }
      }
      int[][] groupsOfMember = new int[memberNames.size()][];
      for (int m = 0; m < groupsOfMember.length; m++) {
        groupsOfMember[m] = memberGroups.get(m).remapSorted(newId);
      }
      List<ServiceAccount> sortedAccounts = new ArrayList<>(accounts);
      sortedAccounts.sort(Comparator.comparing(ServiceAccount::email));
      return new DirectorySnapshot(version, sorted, ids, parents, children, members,
          memberNames.toArray(String[]::new), memberIds, groupsOfMember, List.copyOf(sortedAccounts));
    }
  }

  /** A growable int array, to collect ids without boxing while the builder reads rows. */
  private static final class IntList {
    private int[] values = new int[2];
    private int size;

    void add(int v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    /** The values mapped through {@code newId} (when given), sorted and without repeats. */
    int[] remapSorted(int[] newId) {
      int[] out = Arrays.copyOf(values, size);
      if (newId != null) {
        for (int i = 0; i < size; i++) {
          out[i] = newId[out[i]];
        }
      }
      Arrays.sort(out);
      int distinct = 0;
      for (int i = 0; i < out.length; i++) {
        if (i == 0 || out[i] != out[i - 1]) {
          out[distinct++] = out[i];
        }
      }
      return distinct == out.length ? out : Arrays.copyOf(out, distinct);
    }
  }
}
