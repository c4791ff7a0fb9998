package dev.portcullis.iam.condition;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelSourceLocation;
import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Literal arguments that CEL would only refuse at run time, refused when the condition is set instead: a
 * CIDR block given to {@code inIpRange}, a {@code timestamp('...')} or {@code duration('...')} text, a time
 * zone given to {@code getHours('...')} and its siblings, a {@code matches} pattern. A condition with such
 * a literal could only ever be false.
 */
final class LiteralChecks {
  private static final Set<String> ZONED = Set.of("getFullYear", "getMonth", "getDayOfYear", "getDayOfMonth",
      "getDate", "getDayOfWeek", "getHours", "getMinutes", "getSeconds", "getMilliseconds");

  /** Programs that apply the standard conversions to a string variable s, exactly as conditions do. */
  private static final Probe TIMESTAMP = new Probe("timestamp(s)");
  private static final Probe DURATION = new Probe("duration(s)");
  private static final Probe ZONE = new Probe("timestamp(0).getHours(s)");
  private static final Probe REGEX = new Probe("''.matches(s)");

  private LiteralChecks() {}

  static void check(CelAbstractSyntaxTree ast) throws ConditionException {
    for (CelNavigableExpr node : (Iterable<CelNavigableExpr>)
        CelNavigableAst.fromAst(ast).getRoot().allNodes()::iterator) {
      CelExpr e = node.expr();
      if (e.getKind() != CelExpr.ExprKind.Kind.CALL) {
        continue;
      }
      CelExpr.CelCall call = e.call();
      String f = call.function();
      int n = call.args().size();
      boolean member = call.target().isPresent();
      if (f.equals(Environment.IN_IP_RANGE) && !member && n == 2) {
        CelExpr cidr = call.args().get(1);
        Optional<String> problem = literal(cidr).flatMap(Cidrs::problem);
        if (problem.isPresent()) {
          throw position(ast, cidr, "inIpRange: " + problem.get());
        }
      } else if (f.equals("timestamp") && !member && n == 1) {
        probe(ast, call.args().get(0), TIMESTAMP, "timestamp: not an RFC 3339 time such as "
            + "'2026-12-01T00:00:00Z'");
      } else if (f.equals("duration") && !member && n == 1) {
        probe(ast, call.args().get(0), DURATION, "duration: not a duration such as '1h30m' or '90s'");
      } else if (ZONED.contains(f) && member && n == 1) {
        probe(ast, call.args().get(0), ZONE, f + ": not a time zone; use an IANA name such as "
            + "'Europe/Berlin', or an offset such as '+01:00'");
      } else if (f.equals("matches") && (member ? n == 1 : n == 2)) {
        probe(ast, call.args().get(n - 1), REGEX, "matches: not a valid RE2 regular expression");
      }
    }
  }

  private static Optional<String> literal(CelExpr e) {
    return e.getKind() == CelExpr.ExprKind.Kind.CONSTANT && e.constant().getKind() == CelConstant.Kind.STRING_VALUE
        ? Optional.of(e.constant().stringValue()) : Optional.empty();
  }

  private static void probe(CelAbstractSyntaxTree ast, CelExpr arg, Probe probe, String problem)
      throws ConditionException {
    Optional<String> text = literal(arg);
    if (text.isPresent()) {
      Optional<String> error = probe.error(text.get());
      if (error.isPresent()) {
        throw position(ast, arg, problem + " ('" + text.get() + "': " + error.get() + ")");
      }
    }
  }

  static ConditionException position(CelAbstractSyntaxTree ast, CelExpr at, String problem) {
    Integer offset = ast.getSource().getPositionsMap().get(at.id());
    Optional<CelSourceLocation> where = offset == null ? Optional.empty()
        : ast.getSource().getOffsetLocation(offset);
    return where.map(l -> new ConditionException(l.getLine(), l.getColumn() + 1, problem))
        .orElseGet(() -> new ConditionException(problem));
  }

  private static final class Probe {
    private static final Cel CEL = CelFactory.plannerCelBuilder().setOptions(Environment.OPTIONS)
        .addVar("s", SimpleType.STRING).build();
    private final CelRuntime.Program program;

    Probe(String expression) {
      try {
        program = CEL.createProgram(CEL.compile(expression).getAst());
      } catch (CelValidationException | CelEvaluationException e) {
        throw new IllegalStateException("cannot build the literal check " + expression, e);
      }
    }

    Optional<String> error(String s) {
      try {
        program.eval(Map.of("s", s));
        return Optional.empty();
      } catch (CelEvaluationException e) {
        return Optional.of(CelCondition.plain(e.getMessage()));
      }
    }
  }
}
