package dev.portcullis.iam.condition;

import dev.cel.common.CelSource;
import dev.cel.common.CelSourceLocation;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A condition compiled to a CEL planner program. Evaluation reads the attributes straight from the request
 * record through a variable resolver: no map is built per request.
 */
final class CelCondition implements CompiledCondition {
  private static final Pattern AT = Pattern.compile("evaluation error at [^:]*:(\\d+): (.*)", Pattern.DOTALL);
  private static final Pattern NO_SUCH = Pattern.compile("No such attribute\\(s\\): (.*)", Pattern.DOTALL);

  private final String expression;
  private final CelRuntime.Program program;
  private final List<Attribute> referenced;
  private final CelSource source;

  CelCondition(String expression, CelRuntime.Program program, List<Attribute> referenced, CelSource source) {
    this.expression = expression;
    this.program = program;
    this.referenced = referenced;
    this.source = source;
  }

  @Override
  public String expression() {
    return expression;
  }

  @Override
  public Evaluation evaluate(RequestAttributes request) {
    try {
      Object result = program.eval(name -> {
        Attribute a = Attribute.byName(name);
        return Optional.ofNullable(a == null ? null : a.value(request));
      });
      return result instanceof Boolean b ? Evaluation.of(b)
          : Evaluation.failed("the expression gave " + result + ", not a bool");
    } catch (CelEvaluationException e) {
      return Evaluation.failed(describe(e.getMessage()));
    } catch (RuntimeException e) {
      // Deny by default: whatever goes wrong inside CEL is a false condition, never a pass.
      return Evaluation.failed("evaluation failed: " + e);
    }
  }

  @Override
  public Map<String, Object> referencedValues(RequestAttributes request) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Attribute a : referenced) {
      values.put(a.celName, a.display(request));
    }
    return values;
  }

  @Override
  public String toString() {
    return expression;
  }

  /** "line 1, column 18: request.client_ip has no value in this request", from CEL's offset-based message. */
  private String describe(String message) {
    Matcher m = AT.matcher(message == null ? "" : message);
    if (!m.matches()) {
      return plain(message);
    }
    String problem = plain(m.group(2));
    int offset = Integer.parseInt(m.group(1));
    if (NO_SUCH.matcher(m.group(2)).matches()) {
      offset = attributeStart(offset);
    }
    Optional<CelSourceLocation> where = source.getOffsetLocation(offset);
    return where.map(l -> "line " + l.getLine() + ", column " + (l.getColumn() + 1) + ": " + problem)
        .orElse(problem);
  }

  /**
   * CEL places a missing attribute at its last '.'; the start of the name reads better. Offsets count code
   * points.
   */
  private int attributeStart(int codePointOffset) {
    try {
      int at = expression.offsetByCodePoints(0, codePointOffset);
      int start = expression.lastIndexOf("request", at);
      return start < 0 ? codePointOffset : expression.codePointCount(0, start);
    } catch (IndexOutOfBoundsException e) {
      return codePointOffset;
    }
  }

  /** CEL's run-time message without its offset prefix, missing attributes said plainly. */
  static String plain(String message) {
    if (message == null) {
      return "evaluation failed";
    }
    Matcher at = AT.matcher(message);
    String m = at.matches() ? at.group(2) : message;
    Matcher noSuch = NO_SUCH.matcher(m);
    return noSuch.matches() ? noSuch.group(1) + " has no value in this request" : m;
  }
}
