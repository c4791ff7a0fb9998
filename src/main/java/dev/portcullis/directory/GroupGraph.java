package dev.portcullis.directory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Paths through nested groups, for refusing a cycle before it is written. */
public final class GroupGraph {
  private GroupGraph() {}

  /**
   * The shortest chain of groups from {@code from} down to {@code to}, both included, following
   * {@code children} (a group's email to the emails of the groups directly in it); empty when there is none.
   */
  public static Optional<List<String>> path(Map<String, List<String>> children, String from, String to) {
    Map<String, String> reachedFrom = new HashMap<>();
    ArrayDeque<String> queue = new ArrayDeque<>();
    reachedFrom.put(from, from);
    queue.add(from);
    while (!queue.isEmpty()) {
      String g = queue.poll();
      if (g.equals(to)) {
        List<String> path = new ArrayList<>();
        for (String at = to; ; at = reachedFrom.get(at)) {
          path.add(at);
          if (at.equals(from)) {
            break;
          }
        }
        Collections.reverse(path);
        return Optional.of(path);
      }
      for (String child : children.getOrDefault(g, List.of())) {
        if (reachedFrom.putIfAbsent(child, g) == null) {
          queue.add(child);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The cycle that putting group {@code child} into group {@code parent} would close, as the chain
   * parent, child, ..., parent; empty when the change is safe.
   */
  public static Optional<List<String>> cycleIfAdded(Map<String, List<String>> children, String parent,
      String child) {
    return path(children, child, parent).map(p -> {
      List<String> cycle = new ArrayList<>(p.size() + 1);
      cycle.add(parent);
      cycle.addAll(p);
      return cycle;
    });
  }

  /** "group:a → group:b → group:a". */
  public static String describe(List<String> groups) {
    return String.join(" → ", groups.stream().map(g -> MemberName.Kind.GROUP.prefix() + ":" + g).toList());
  }
}
