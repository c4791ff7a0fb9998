package dev.portcullis.iam;

import dev.portcullis.iam.condition.CompiledCondition;
import dev.portcullis.iam.condition.ConditionException;
import dev.portcullis.iam.condition.Conditions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every policy and role at one moment, immutable, arranged for deciding: per resource, the bindings whose
 * role grants the access permission. Built whole after each change and swapped in atomically.
 */
public final class IamSnapshot {
  private static final Logger log = LoggerFactory.getLogger(IamSnapshot.class);
  private static final CompiledBinding[] NONE = new CompiledBinding[0];

  private final Map<String, Role> roles;
  private final Map<String, Policy> policies;
  private final Map<String, CompiledBinding[]> all;
  private final Map<String, CompiledBinding[]> access;

  public static final IamSnapshot EMPTY = new IamSnapshot(List.of(), Map.of());

  /** @param customRoles custom roles; the predefined ones are always there */
  public IamSnapshot(Collection<Role> customRoles, Map<ResourceName, Policy> policiesByResource) {
    Map<String, Role> r = new LinkedHashMap<>();
    PredefinedRoles.ALL.forEach(role -> r.put(role.name(), role));
    customRoles.forEach(role -> r.put(role.name(), role));
    this.roles = Map.copyOf(r);
    Map<String, Policy> p = new HashMap<>();
    Map<String, CompiledBinding[]> allBindings = new HashMap<>();
    Map<String, CompiledBinding[]> accessBindings = new HashMap<>();
    for (Map.Entry<ResourceName, Policy> e : policiesByResource.entrySet()) {
      String key = e.getKey().toString();
      p.put(key, e.getValue());
      List<CompiledBinding> compiled = new ArrayList<>();
      for (Binding b : e.getValue().bindings()) {
        Role role = roles.get(b.role());
        if (role == null) {
          continue;
        }
        Optional<CompiledCondition> cc = Optional.empty();
        Optional<String> broken = Optional.empty();
        if (b.condition().isPresent()) {
          try {
            cc = Optional.of(Conditions.compile(b.condition().get().expression()));
          } catch (ConditionException ex) {
            broken = Optional.of(ex.getMessage());
            log.error("condition '{}' on {} no longer compiles and grants nothing: {}", b.condition().get().title(),
                key, ex.getMessage());
          }
        }
        compiled.add(new CompiledBinding(e.getKey(), b, role, cc, broken));
      }
      allBindings.put(key, compiled.toArray(CompiledBinding[]::new));
      accessBindings.put(key, compiled.stream().filter(c -> c.role.grants(Permissions.ACCESS))
          .toArray(CompiledBinding[]::new));
    }
    this.policies = Map.copyOf(p);
    this.all = Map.copyOf(allBindings);
    this.access = Map.copyOf(accessBindings);
  }

  public Optional<Role> role(String name) {
    return Optional.ofNullable(roles.get(name));
  }

  public Collection<Role> roles() {
    return roles.values();
  }

  /** The policy set on exactly this resource (empty with etag of version 0 when none was ever set). */
  public Optional<Policy> policy(ResourceName resource) {
    return Optional.ofNullable(policies.get(resource.toString()));
  }

  /** The bindings on exactly this resource whose role grants {@code permission}. */
  CompiledBinding[] bindings(ResourceName resource, String permission) {
    if (permission.equals(Permissions.ACCESS)) {
      return access.getOrDefault(resource.toString(), NONE);
    }
    CompiledBinding[] on = all.getOrDefault(resource.toString(), NONE);
    List<CompiledBinding> out = new ArrayList<>();
    for (CompiledBinding b : on) {
      if (b.role.grants(permission)) {
        out.add(b);
      }
    }
    return out.toArray(NONE);
  }

  /** Resources whose bindings name {@code member} (its canonical key, e.g. group:qa@example.com). */
  public List<String> resourcesNaming(String member) {
    List<String> out = new ArrayList<>();
    policies.forEach((resource, policy) -> {
      if (policy.bindings().stream().anyMatch(b -> b.members().stream().anyMatch(m -> m.key().equals(member)))) {
        out.add(resource);
      }
    });
    out.sort(null);
    return out;
  }

  /** Resources whose bindings name {@code role}. */
  public List<String> resourcesGranting(String role) {
    List<String> out = new ArrayList<>();
    policies.forEach((resource, policy) -> {
      if (policy.bindings().stream().anyMatch(b -> b.role().equals(role))) {
        out.add(resource);
      }
    });
    out.sort(null);
    return out;
  }
}
