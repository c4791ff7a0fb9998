package dev.portcullis.iam;

import dev.portcullis.directory.DirectorySnapshot;
import dev.portcullis.iam.condition.AccessLevelSnapshot;
import dev.portcullis.iam.condition.CompiledCondition;
import dev.portcullis.iam.condition.Evaluation;
import dev.portcullis.iam.condition.RequestAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The decision engine: may this caller do {@code permission} on this resource, for this request? Reads
 * the current snapshots (policies and roles, the directory, access levels) at the moment it decides, so a
 * change that has been answered is always seen. Deny unless a binding along the resource's chain grants a
 * role holding the permission to one of the caller's identities and its condition (if any) is true.
 */
public final class Authorizer {
  private final Supplier<IamSnapshot> iam;
  private final Supplier<DirectorySnapshot> directory;
  private final Supplier<AccessLevelSnapshot> accessLevels;

  public Authorizer(Supplier<IamSnapshot> iam, Supplier<DirectorySnapshot> directory,
      Supplier<AccessLevelSnapshot> accessLevels) {
    this.iam = iam;
    this.directory = directory;
    this.accessLevels = accessLevels;
  }

  /** @param caller empty for an anonymous request (only {@code allUsers} can match it) */
  public Decision decide(Optional<Principal> caller, ResourceName resource, String permission, RequestFacts facts) {
    IamSnapshot snapshot = iam.get();
    DirectorySnapshot dir = directory.get();
    if (caller.isPresent() && caller.get().kind() == Principal.Kind.SERVICE_ACCOUNT
        && !dir.serviceAccountActive(caller.get().email())) {
      return Decision.deny(caller.get().memberKey() + " does not exist or is disabled");
    }
    Caller c = new Caller(caller.orElse(null), dir);
    Conditional conditional = null;
    int conditionsFalse = 0;
    String firstFalse = null;
    for (ResourceName r : resource.chain()) {
      for (CompiledBinding b : snapshot.bindings(r, permission)) {
        String member = c.match(b);
        if (member == null) {
          continue;
        }
        if (!b.conditional()) {
          return Decision.allow(new Grant(r, b.role.name(), member, Optional.empty()));
        }
        if (conditional == null) {
          conditional = new Conditional(facts, accessLevels);
        }
        if (conditional.holds(b)) {
          return Decision.allow(new Grant(r, b.role.name(), member, Optional.of(b.binding.condition().get().title())));
        }
        conditionsFalse++;
        if (firstFalse == null) {
          firstFalse = b.binding.condition().get().title();
        }
      }
    }
    String who = caller.map(Principal::memberKey).orElse("an anonymous caller");
    if (conditionsFalse > 0) {
      return Decision.deny("the condition" + (conditionsFalse > 1 ? "s" : "") + " of the binding"
          + (conditionsFalse > 1 ? "s" : "") + " granting " + permission + " to " + who + " did not hold ('"
          + firstFalse + "'" + (conditionsFalse > 1 ? " and " + (conditionsFalse - 1) + " more" : "") + ")");
    }
    return Decision.deny("no binding on " + resource + " or above grants " + permission + " to " + who);
  }

  /** Explains the outcome binding by binding; see {@link Explanation}. */
  public Explanation explain(Optional<Principal> caller, ResourceName resource, String permission, RequestFacts facts) {
    IamSnapshot snapshot = iam.get();
    DirectorySnapshot dir = directory.get();
    Caller c = new Caller(caller.orElse(null), dir);
    Conditional conditional = new Conditional(facts, accessLevels);
    List<Explanation.BindingExplanation> out = new ArrayList<>();
    for (ResourceName r : resource.chain()) {
      for (CompiledBinding b : snapshot.bindings(r, permission)) {
        String member = c.match(b);
        List<String> via = member != null && member.startsWith("group:") && caller.isPresent()
            ? dir.membershipPath(caller.get().memberKey(), member.substring("group:".length())).orElse(List.of())
            : List.of();
        Optional<Explanation.ConditionResult> cond = Optional.empty();
        if (b.conditional()) {
          cond = Optional.of(conditional.explain(b));
        }
        boolean grants = member != null && cond.map(Explanation.ConditionResult::value).orElse(true);
        out.add(new Explanation.BindingExplanation(r, b.binding, Optional.ofNullable(member), via,
            member == null ? Optional.of(c.whyNot(b)) : Optional.empty(), cond, grants));
      }
    }
    Decision d = decide(caller, resource, permission, facts);
    return new Explanation(caller.map(Principal::memberKey).orElse("allUsers"), resource, permission, d, out,
        conditional.attributes().map(a -> a).orElse(null));
  }

  /** The caller's identities, with the groups (nesting included) looked up once and only if needed. */
  private static final class Caller {
    private final Principal principal;
    private final String key;
    private final String domain;
    private final DirectorySnapshot directory;
    private Set<String> groups;

    Caller(Principal principal, DirectorySnapshot directory) {
      this.principal = principal;
      this.key = principal == null ? null : principal.memberKey();
      this.domain = principal == null ? null : principal.domain();
      this.directory = directory;
    }

    /** The member of {@code b} that names this caller, or null. */
    String match(CompiledBinding b) {
      if (principal != null) {
        if (b.exact.contains(key)) {
          return key;
        }
        if (b.allAuthenticatedUsers) {
          return "allAuthenticatedUsers";
        }
        if (!b.domains.isEmpty() && b.domains.contains(domain)) {
          return "domain:" + domain;
        }
        if (b.groups.length > 0) {
          if (groups == null) {
            groups = directory.groupsOf(key);
          }
          if (!groups.isEmpty()) {
            for (String g : b.groups) {
              if (groups.contains(g)) {
                return "group:" + g;
              }
            }
          }
        }
      }
      return b.allUsers ? "allUsers" : null;
    }

    String whyNot(CompiledBinding b) {
      if (principal == null) {
        return "the caller is not signed in, and only allUsers matches an anonymous caller";
      }
      List<String> reasons = new ArrayList<>();
      if (!b.exact.isEmpty()) {
        reasons.add(key + " is not listed");
      }
      for (String g : b.groups) {
        reasons.add("not a member of group:" + g + (directory.group(g).isEmpty() ? " (no such group)" : ""));
      }
      for (String d : b.domains) {
        reasons.add("the email's domain is " + domain + ", not " + d);
      }
      return reasons.isEmpty() ? "no member of this binding names the caller" : String.join("; ", reasons);
    }
  }

  /** Condition evaluation for one request: attributes (with access levels) computed once, on first need. */
  private static final class Conditional {
    private final RequestFacts facts;
    private final Supplier<AccessLevelSnapshot> levels;
    private RequestAttributes attributes;
    private RequestAttributes normalizedAttributes;
    private boolean undecodable;

    Conditional(RequestFacts facts, Supplier<AccessLevelSnapshot> levels) {
      this.facts = facts;
      this.levels = levels;
    }

    private void prepare() {
      if (attributes != null || undecodable) {
        return;
      }
      Optional<String> normalized = RequestPaths.normalize(facts.rawPath());
      if (normalized.isEmpty()) {
        undecodable = true;
        return;
      }
      List<String> satisfied = levels.get().satisfied(facts.host(), normalized.get(), facts.method(), facts.time(),
          facts.clientIp());
      normalizedAttributes = new RequestAttributes(facts.host(), normalized.get(), facts.method(), facts.time(),
          facts.clientIp(), satisfied);
      // As IAP: a condition must hold for the path as sent and for its normalized form.
      attributes = normalized.get().equals(facts.rawPath()) ? normalizedAttributes
          : new RequestAttributes(facts.host(), facts.rawPath(), facts.method(), facts.time(), facts.clientIp(),
              satisfied);
    }

    Optional<RequestAttributes> attributes() {
      prepare();
      return Optional.ofNullable(normalizedAttributes);
    }

    boolean holds(CompiledBinding b) {
      prepare();
      if (undecodable || b.condition.isEmpty()) {
        return false;
      }
      CompiledCondition cc = b.condition.get();
      if (!cc.evaluate(normalizedAttributes).value()) {
        return false;
      }
      return attributes == normalizedAttributes || cc.evaluate(attributes).value();
    }

    Explanation.ConditionResult explain(CompiledBinding b) {
      prepare();
      Condition c = b.binding.condition().get();
      if (b.brokenCondition.isPresent()) {
        return new Explanation.ConditionResult(c, false, b.brokenCondition, java.util.Map.of());
      }
      if (undecodable) {
        return new Explanation.ConditionResult(c, false, Optional.of("the request path could not be decoded"),
            java.util.Map.of());
      }
      CompiledCondition cc = b.condition.get();
      Evaluation normalized = cc.evaluate(normalizedAttributes);
      Evaluation raw = attributes == normalizedAttributes ? normalized : cc.evaluate(attributes);
      Optional<String> error = normalized.error().or(raw::error);
      if (normalized.value() && !raw.value() && error.isEmpty()) {
        error = Optional.of("false for the path as sent (" + facts.rawPath() + "), true only after normalizing");
      }
      return new Explanation.ConditionResult(c, normalized.value() && raw.value(), error,
          cc.referencedValues(normalizedAttributes));
    }
  }
}
