package dev.portcullis.iam.condition;

import dev.cel.common.CelIssue;
import dev.cel.common.CelSourceLocation;
import dev.cel.common.CelValidationException;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CEL's compile errors in the words of this product. An attribute is declared as one dotted name, so CEL
 * reports a typo such as {@code request.pathh} as an undeclared {@code request}; the message names the whole
 * reference instead, and the attribute that was probably meant.
 */
final class CompileErrors {
  private static final Pattern UNDECLARED = Pattern.compile("undeclared reference to '([^']*)'.*", Pattern.DOTALL);
  private static final Pattern SEGMENT = Pattern.compile("\\s*\\.\\s*([A-Za-z_][A-Za-z0-9_]*)");

  private CompileErrors() {}

  static ConditionException translate(CelValidationException e, String expression, String what,
      Set<Attribute> attributes) {
    List<CelIssue> errors = e.getErrors();
    if (errors.isEmpty()) {
      return new ConditionException(e.getMessage());
    }
    CelIssue first = errors.stream().min(Comparator.comparing(CelIssue::getSourceLocation)).orElseThrow();
    CelSourceLocation at = first.getSourceLocation();
    String problem = describe(first.getMessage(), expression, at, what, attributes);
    if (errors.size() > 1) {
      problem += " (and " + (errors.size() - 1) + " more " + (errors.size() == 2 ? "error" : "errors") + ")";
    }
    return at.getLine() > 0
        ? new ConditionException(at.getLine(), at.getColumn() + 1, problem)
        : new ConditionException(problem);
  }

  private static String describe(String message, String expression, CelSourceLocation at, String what,
      Set<Attribute> attributes) {
    Matcher undeclared = UNDECLARED.matcher(message);
    if (undeclared.matches()) {
      String name = undeclared.group(1);
      if (name.equals("request") || name.startsWith("request.")) {
        return undeclaredAttribute(reference(expression, at, name, attributes), what, attributes);
      }
      return "undeclared reference to '" + name + "'";
    }
    if (message.startsWith("expected type 'bool' but found")) {
      return "the expression must be of type bool, but it is of type " + message.substring(
          "expected type 'bool' but found ".length()) + "; compare it, as in request.path == \"/\"";
    }
    return message;
  }

  private static String undeclaredAttribute(String reference, String what, Set<Attribute> attributes) {
    if (reference.equals(Attribute.ACCESS_LEVELS.celName) && !attributes.contains(Attribute.ACCESS_LEVELS)) {
      return "request.auth.access_levels cannot be used in " + what + "; name the access levels in the "
          + "IAM condition instead";
    }
    StringBuilder out = new StringBuilder("undeclared reference to '").append(reference).append("'");
    Attribute closest = null;
    int best = Integer.MAX_VALUE;
    for (Attribute a : attributes) {
      int d = distance(reference, a.celName);
      if (d < best) {
        best = d;
        closest = a;
      }
    }
    if (closest != null && best <= 3 && !reference.equals("request")) {
      out.append("; did you mean '").append(closest.celName).append("'?");
    } else {
      out.append("; the attributes are ").append(String.join(", ",
          attributes.stream().map(a -> a.celName).toList()));
    }
    return out.toString();
  }

  /**
   * The dotted reference written at the error's position: segments are taken while they still lead to a
   * declared attribute, plus the first one that does not (the typo).
   */
  private static String reference(String expression, CelSourceLocation at, String fallback,
      Set<Attribute> attributes) {
    int offset = offset(expression, at);
    if (offset < 0 || !expression.startsWith(fallback, offset)) {
      return fallback;
    }
    String name = fallback;
    Matcher m = SEGMENT.matcher(expression);
    int pos = offset + fallback.length();
    while (isPrefix(name, attributes) && m.find(pos) && m.start() == pos) {
      name = name + "." + m.group(1);
      pos = m.end();
    }
    return name;
  }

  private static boolean isPrefix(String name, Set<Attribute> attributes) {
    for (Attribute a : Attribute.values()) {
      if (a.celName.startsWith(name + ".")) {
        return true;
      }
    }
    return false;
  }

  /** The UTF-16 index of a 1-based line and 0-based code-point column, or -1. */
  private static int offset(String expression, CelSourceLocation at) {
    if (at.getLine() < 1 || at.getColumn() < 0) {
      return -1;
    }
    int i = 0;
    for (int line = 1; line < at.getLine(); line++) {
      i = expression.indexOf('\n', i);
      if (i < 0) {
        return -1;
      }
      i++;
    }
    try {
      return expression.offsetByCodePoints(i, at.getColumn());
    } catch (IndexOutOfBoundsException e) {
      return -1;
    }
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
