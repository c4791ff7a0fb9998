package dev.portcullis.iam.condition;

import dev.portcullis.config.IpRange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every access level at one moment, compiled: IP blocks parsed, expressions compiled. Immutable; the hot
 * path asks it which levels a request satisfies without touching the store.
 */
public final class AccessLevelSnapshot {
  private static final Logger log = LoggerFactory.getLogger(AccessLevelSnapshot.class);
  public static final AccessLevelSnapshot EMPTY = new AccessLevelSnapshot(List.of());

  private final List<AccessLevel> all;
  private final Map<String, AccessLevel> byName;
  private final Compiled[] levels;

  /** A level ready to test: ranges for an IP level, condition for an expression level; neither if unusable. */
  private record Compiled(String name, List<IpRange> ranges, CompiledCondition condition) {}

  private AccessLevelSnapshot(List<AccessLevel> levels) {
    this.all = levels.stream().sorted(Comparator.comparing(AccessLevel::name)).toList();
    Map<String, AccessLevel> names = new HashMap<>();
    this.levels = new Compiled[all.size()];
    for (int i = 0; i < all.size(); i++) {
      AccessLevel l = all.get(i);
      names.put(l.name(), l);
      this.levels[i] = compile(l);
    }
    this.byName = Map.copyOf(names);
  }

  /** A snapshot of these levels (as the store holds them, already validated). */
  public static AccessLevelSnapshot of(List<AccessLevel> levels) {
    return levels.isEmpty() ? EMPTY : new AccessLevelSnapshot(levels);
  }

  /**
   * The full names of the levels this request satisfies, in name order: an IP level when the client address
   * is in one of its blocks, an expression level when its expression is true. An unknown client address
   * satisfies no IP level; an expression that fails is not satisfied.
   */
  public List<String> satisfied(String host, String path, String method, Instant time, String clientIp) {
    if (levels.length == 0) {
      return List.of();
    }
    byte[] address = Cidrs.address(clientIp).orElse(null);
    RequestAttributes request = null;
    List<String> out = null;
    for (Compiled level : levels) {
      boolean ok;
      if (level.ranges() != null) {
        ok = address != null && IpRange.anyContains(level.ranges(), address);
      } else if (level.condition() != null) {
        if (request == null) {
          request = new RequestAttributes(host, path, method, time, clientIp, List.of());
        }
        ok = level.condition().evaluate(request).value();
      } else {
        ok = false;
      }
      if (ok) {
        if (out == null) {
          out = new ArrayList<>(2);
        }
        out.add(level.name());
      }
    }
    return out == null ? List.of() : Collections.unmodifiableList(out);
  }

  /** The level named accessLevels/NAME (or NAME). */
  public Optional<AccessLevel> get(String name) {
    return Optional.ofNullable(byName.get(AccessLevel.fullName(name)));
  }

  /** Every level, in name order. */
  public List<AccessLevel> all() {
    return all;
  }

  private static Compiled compile(AccessLevel l) {
    if (l.expression() != null) {
      try {
        return new Compiled(l.name(), null, Conditions.compileAccessLevel(l.expression()));
      } catch (ConditionException e) {
        // Validated when written; this only happens if the CEL rules changed since. Deny by default.
        log.warn("access level {} is never satisfied: its expression no longer compiles: {}", l.name(),
            e.getMessage());
        return new Compiled(l.name(), null, null);
      }
    }
    List<IpRange> ranges = new ArrayList<>();
    for (String cidr : l.ipSubnetworks()) {
      Cidrs.parse(cidr).ifPresentOrElse(ranges::add,
          () -> log.warn("access level {}: ignoring '{}', which is not a CIDR block", l.name(), cidr));
    }
    return new Compiled(l.name(), List.copyOf(ranges), null);
  }
}
