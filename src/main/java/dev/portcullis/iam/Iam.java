package dev.portcullis.iam;

import dev.portcullis.directory.DirectorySnapshot;
import dev.portcullis.service.FieldError;
import dev.portcullis.service.ServiceCatalog;
import dev.portcullis.service.ValidationException;
import dev.portcullis.store.IamRepository;
import dev.portcullis.store.NotFoundException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The write path for policies and custom roles: validate, write in one etag-checked transaction, rebuild
 * the snapshot and hand it to listeners, all before returning, so an answered change is in force for
 * every request that starts afterwards. Reads on the hot path go to {@link #snapshot()}.
 */
public final class Iam {
  public static final String CUSTOM_ROLE_PREFIX = "customRoles/";
  private static final Pattern CUSTOM_ROLE_ID = Pattern.compile("[a-zA-Z][a-zA-Z0-9_.]{2,63}");

  private final IamRepository repository;
  private final Supplier<ServiceCatalog> services;
  private final AtomicReference<IamSnapshot> snapshot = new AtomicReference<>(IamSnapshot.EMPTY);
  private final List<Consumer<IamSnapshot>> listeners = new CopyOnWriteArrayList<>();

  private final Supplier<DirectorySnapshot> directory;

  public Iam(IamRepository repository, Supplier<ServiceCatalog> services, Supplier<DirectorySnapshot> directory) {
    this.repository = repository;
    this.services = services;
    this.directory = directory;
    refresh();
  }

  /**
   * Runs the deletion of a group or service account only while no binding names it, serialized with
   * {@link #setPolicy}: otherwise a binding left naming it would grant a role to whoever later gets the
   * same email (Google marks such members deleted; Portcullis refuses the deletion instead).
   */
  public synchronized void deleteUnlessGranted(String member, Runnable deletion) {
    List<String> naming = snapshot.get().resourcesNaming(member);
    if (!naming.isEmpty()) {
      throw new dev.portcullis.store.ConflictException(member + " is still named in the IAM policy of "
          + String.join(", ", naming) + "; remove it from those bindings first (portcullis iam remove-binding)");
    }
    deletion.run();
  }

  /** Groups and service accounts must exist to be granted anything; users may sign in later. */
  private Optional<String> memberProblem(Member m) {
    DirectorySnapshot dir = directory.get();
    return switch (m) {
      case Member.Group g -> dir.group(g.email()).isPresent() ? Optional.empty()
          : Optional.of("group '" + g.email() + "' does not exist; create it first (portcullis groups create "
              + g.email() + ")");
      case Member.ServiceAccount s -> dir.serviceAccountExists(s.email()) ? Optional.empty()
          : Optional.of("service account '" + s.email() + "' does not exist; create it first "
              + "(portcullis service-accounts create)");
      default -> Optional.empty();
    };
  }

  public IamSnapshot snapshot() {
    return snapshot.get();
  }

  public void onChange(Consumer<IamSnapshot> listener) {
    listeners.add(listener);
    listener.accept(snapshot.get());
  }

  /** The policy set on exactly this resource; an empty one (with its etag) if none was ever set. */
  public Policy getPolicy(ResourceName resource) {
    checkExists(resource);
    return toPolicy(repository.policy(resource.toString()));
  }

  /**
   * Replaces the policy on a resource. With an etag, the write happens only if the policy is still at that
   * etag; a stale one is refused with a conflict and nothing is written. Without one, it overwrites (as
   * Google's setIamPolicy does); the CLI always sends one.
   */
  public synchronized Policy setPolicy(ResourceName resource, JsonObject policy) {
    checkExists(resource);
    for (String key : policy.fieldNames()) {
      if (!Set.of("version", "etag", "bindings", "auditConfigs").contains(key)) {
        throw new ValidationException("policy." + key, "unknown field; a policy has version, etag and bindings");
      }
    }
    Object v = policy.getValue("version");
    if (v != null && !(v instanceof Number n && (n.intValue() == 1 || n.intValue() == 3))) {
      throw new ValidationException("policy.version", "must be 1 or 3 (it is set from the bindings in any case)");
    }
    Optional<Long> expected = Optional.empty();
    Object etag = policy.getValue("etag");
    if (etag != null) {
      if (!(etag instanceof String s) || PolicyEtags.version(s).isEmpty()) {
        throw new ValidationException("policy.etag", "is not an etag from getIamPolicy; read the policy again");
      }
      expected = PolicyEtags.version((String) etag);
    }
    IamSnapshot current = snapshot.get();
    List<Binding> bindings = PolicyJson.readBindings(policy.getValue("bindings"), "policy.bindings",
        role -> current.role(role).isPresent(), this::memberProblem);
    IamRepository.StoredPolicy stored = repository.setPolicy(resource.toString(),
        PolicyJson.bindingsJson(bindings).encode(), expected, Optional.of("etag mismatch: the policy of " + resource
            + " was changed since it was read; read it again (get-policy), reapply your change and retry"));
    refresh();
    return toPolicy(stored);
  }

  public List<Role> roles() {
    return List.copyOf(snapshot.get().roles());
  }

  public Role role(String name) {
    return snapshot.get().role(name).orElseThrow(() -> new NotFoundException("role '" + name + "' does not exist"));
  }

  public synchronized Role createRole(String id, JsonObject body) {
    if (id == null || !CUSTOM_ROLE_ID.matcher(id).matches()) {
      throw new ValidationException("roleId", "a custom role id is 3 to 64 letters, digits, '_' or '.', starting "
          + "with a letter (it becomes customRoles/ID)");
    }
    String name = CUSTOM_ROLE_PREFIX + id;
    IamRepository.StoredRole r = roleFromJson(name, body, null);
    repository.createRole(r);
    refresh();
    return role(name);
  }

  public synchronized Role updateRole(String name, JsonObject body, Optional<Long> expectedVersion) {
    Role current = role(name);
    if (current.predefined()) {
      throw new ValidationException("name", "predefined roles cannot be changed; create a custom role instead");
    }
    repository.updateRole(roleFromJson(name, body, current), expectedVersion);
    refresh();
    return role(name);
  }

  public synchronized void deleteRole(String name, Optional<Long> expectedVersion) {
    Role current = role(name);
    if (current.predefined()) {
      throw new ValidationException("name", "predefined roles cannot be deleted");
    }
    repository.deleteRole(name, expectedVersion, all -> {
      List<String> users = new ArrayList<>();
      for (IamRepository.StoredPolicy p : all) {
        JsonArray arr = new JsonArray(p.bindingsJson());
        for (int i = 0; i < arr.size(); i++) {
          if (name.equals(arr.getJsonObject(i).getString("role"))) {
            users.add(p.resource());
            break;
          }
        }
      }
      return users;
    });
    refresh();
  }

  /** Re-reads the store and swaps the snapshot; listeners see the new one before this returns. */
  public synchronized void refresh() {
    IamSnapshot next;
    try {
      next = build();
    } catch (RuntimeException e) {
      // Fail closed: a change may already be in the store that the old snapshot would not show (a removed
      // binding still granting). Until a rebuild succeeds, nothing is granted; the break-glass token works.
      failClosed();
      throw e;
    }
    stale = false;
    publish(next);
  }

  private volatile boolean stale;

  /**
   * Grants nothing until the next successful {@link #refresh()}: after a failed rebuild, or when this
   * replica has been cut off from the other replicas' changes for too long.
   */
  public synchronized void failClosed() {
    stale = true;
    publish(IamSnapshot.EMPTY);
  }

  /** True after a failed rebuild, until one succeeds: decisions then deny everything. */
  public boolean stale() {
    return stale;
  }

  private void publish(IamSnapshot next) {
    snapshot.set(next);
    for (Consumer<IamSnapshot> l : listeners) {
      l.accept(next);
    }
  }

  private IamSnapshot build() {
    List<Role> custom = new ArrayList<>();
    for (IamRepository.StoredRole r : repository.roles()) {
      Set<String> perms = new LinkedHashSet<>();
      new JsonArray(r.permissionsJson()).forEach(p -> perms.add((String) p));
      custom.add(new Role(r.name(), r.title(), r.description(), perms, false, r.version()));
    }
    Map<String, Role> roles = new HashMap<>();
    PredefinedRoles.ALL.forEach(role -> roles.put(role.name(), role));
    custom.forEach(role -> roles.put(role.name(), role));
    Map<ResourceName, Policy> policies = new HashMap<>();
    for (IamRepository.StoredPolicy p : repository.policies()) {
      Optional<ResourceName> resource = ResourceName.tryParse(p.resource());
      if (resource.isEmpty()) {
        continue;
      }
      policies.put(resource.get(), toPolicy(p));
    }
    return new IamSnapshot(custom, policies);
  }

  /** Stored bindings are trusted to parse (they were validated when written); roles may since have gone. */
  private static Policy toPolicy(IamRepository.StoredPolicy p) {
    List<Binding> bindings = new ArrayList<>();
    JsonArray arr = new JsonArray(p.bindingsJson());
    for (int i = 0; i < arr.size(); i++) {
      JsonObject b = arr.getJsonObject(i);
      List<Member> members = new ArrayList<>();
      b.getJsonArray("members").forEach(m -> members.add(Member.parse((String) m)));
      JsonObject c = b.getJsonObject("condition");
      bindings.add(new Binding(b.getString("role"), members, c == null ? Optional.empty()
          : Optional.of(new Condition(c.getString("title"), c.getString("description", ""), c.getString("expression")))));
    }
    return new Policy(Policy.versionFor(bindings), PolicyEtags.of(p.version()), bindings);
  }

  private IamRepository.StoredRole roleFromJson(String name, JsonObject body, Role current) {
    List<FieldError> errors = new ArrayList<>();
    String title = body.getValue("title") instanceof String t ? t.strip()
        : current == null ? null : current.title();
    String description = body.getValue("description") instanceof String d ? d
        : current == null ? "" : current.description();
    if (title == null || title.isEmpty() || title.length() > 100) {
      errors.add(new FieldError("title", "a title of 1 to 100 characters is required"));
    }
    if (description.length() > 256) {
      errors.add(new FieldError("description", "at most 256 characters"));
    }
    Set<String> perms = new LinkedHashSet<>();
    Object pv = body.getValue("includedPermissions");
    if (pv == null && current != null) {
      perms.addAll(current.includedPermissions());
    } else if (!(pv instanceof JsonArray arr) || arr.isEmpty()) {
      errors.add(new FieldError("includedPermissions", "a list of one or more permissions is required, such as ["
          + "\"" + Permissions.ACCESS + "\"]"));
    } else {
      for (int i = 0; i < arr.size(); i++) {
        Object p = arr.getValue(i);
        if (!(p instanceof String s) || !Permissions.ALL.contains(s)) {
          errors.add(new FieldError("includedPermissions[" + i + "]", "'" + p + "' is not a permission Portcullis "
              + "knows; see docs/iam.md for the list"));
        } else {
          perms.add(s);
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return new IamRepository.StoredRole(name, title, description, new JsonArray(List.copyOf(perms)).encode(), 0);
  }

  /** Policies sit on the organization, any project, or a service that exists in the named project. */
  private void checkExists(ResourceName resource) {
    if (resource.kind() != ResourceName.Kind.SERVICE) {
      return;
    }
    var service = services.get().byName(resource.service());
    if (service.isEmpty()) {
      throw new NotFoundException("service '" + resource.service() + "' does not exist");
    }
    if (!service.get().project().equals(resource.project())) {
      throw new NotFoundException("service '" + resource.service() + "' is in project '" + service.get().project()
          + "', not '" + resource.project() + "': its resource is " + service.get().resourceName());
    }
  }
}
