package dev.portcullis.iam.condition;

import dev.portcullis.service.FieldError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** What makes an access level valid; each error names the API field it is about. */
final class AccessLevelRules {
  static final Pattern NAME = Pattern.compile("accessLevels/[a-z][a-z0-9_]{0,62}");
  static final int MAX_TITLE = 200;
  static final int MAX_DESCRIPTION = 2_000;
  static final int MAX_SUBNETWORKS = 500;

  private AccessLevelRules() {}

  static List<FieldError> validate(AccessLevel level) {
    List<FieldError> errors = new ArrayList<>();
    if (level.name() == null || !NAME.matcher(level.name()).matches()) {
      errors.add(new FieldError("name", "'" + level.name() + "' is not an access level name: use accessLevels/NAME "
          + "where NAME starts with a lower-case letter and has at most 63 lower-case letters, digits and '_'"));
    }
    if (level.title().length() > MAX_TITLE) {
      errors.add(new FieldError("title", "is " + level.title().length() + " characters; at most " + MAX_TITLE));
    }
    if (level.description().length() > MAX_DESCRIPTION) {
      errors.add(new FieldError("description", "is " + level.description().length() + " characters; at most "
          + MAX_DESCRIPTION));
    }
    boolean hasExpression = level.expression() != null;
    boolean hasSubnetworks = !level.ipSubnetworks().isEmpty();
    if (hasExpression && hasSubnetworks) {
      errors.add(new FieldError("expression", "give either ipSubnetworks or expression, not both; to switch a "
          + "level from one kind to the other, set the one you want and clear the other"));
    } else if (!hasExpression && !hasSubnetworks) {
      errors.add(new FieldError("ipSubnetworks", "give either ipSubnetworks (CIDR blocks such as 10.0.0.0/8) or "
          + "expression (CEL over request.*)"));
    }
    if (level.ipSubnetworks().size() > MAX_SUBNETWORKS) {
      errors.add(new FieldError("ipSubnetworks", "has " + level.ipSubnetworks().size() + " entries; at most "
          + MAX_SUBNETWORKS));
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < level.ipSubnetworks().size(); i++) {
      String cidr = level.ipSubnetworks().get(i);
      String field = "ipSubnetworks[" + i + "]";
      Cidrs.problem(cidr).ifPresent(p -> errors.add(new FieldError(field, p)));
      if (cidr != null && !seen.add(cidr)) {
        errors.add(new FieldError(field, "'" + cidr + "' is listed twice"));
      }
    }
    if (hasExpression) {
      try {
        Conditions.compileAccessLevel(level.expression());
      } catch (ConditionException e) {
        errors.add(new FieldError("expression", e.getMessage()));
      }
    }
    return errors;
  }
}
