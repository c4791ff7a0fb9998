package dev.portcullis.iam;

import dev.portcullis.iam.condition.RequestAttributes;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The troubleshooter's answer: the decision, and for each binding along the chain that could have granted
 * the permission, whether it names the caller (and through which groups), or why not, and what its
 * condition made of the request.
 */
public record Explanation(String member, ResourceName resource, String permission, Decision decision,
    List<BindingExplanation> bindings, RequestAttributes attributes) {

  public record BindingExplanation(ResourceName resource, Binding binding, Optional<String> matchedMember,
      List<String> via, Optional<String> notMatched, Optional<ConditionResult> condition, boolean grants) {}

  public record ConditionResult(Condition condition, boolean value, Optional<String> error,
      Map<String, Object> values) {}
}
