package dev.portcullis.iam.condition;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelReference;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelFunctionOverload;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelStandardFunctions;
import dev.cel.runtime.RuntimeEquality;
import dev.cel.runtime.RuntimeHelpers;
import dev.cel.runtime.standard.CelStandardOverload;
import dev.cel.runtime.standard.DurationFunction.DurationOverload;
import dev.cel.runtime.standard.TimestampFunction.TimestampOverload;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One CEL environment: the attributes it declares, {@code inIpRange}, the standard library, and a bounded
 * cache of compiled conditions by expression text. Conditions see every attribute; access levels' own
 * expressions see all but {@code request.auth.access_levels}, which they are what produces.
 */
final class Environment {
  static final int MAX_LENGTH = 4096;
  static final String IN_IP_RANGE = "inIpRange";

  /** The CEL options both the compiler and the planner runtime use. */
  static final CelOptions OPTIONS = CelOptions.current()
      .enableHeterogeneousNumericComparisons(true)
      .maxExpressionCodePointSize(MAX_LENGTH)
      .build();

  static final Environment CONDITIONS = new Environment("a condition", EnumSet.allOf(Attribute.class));
  static final Environment ACCESS_LEVELS = new Environment("an access level's expression",
      EnumSet.complementOf(EnumSet.of(Attribute.ACCESS_LEVELS)));

  private final String what;
  private final Set<Attribute> attributes;
  private final Cel cel;
  private final Cache<String, CelCondition> compiled = Caffeine.newBuilder().maximumSize(10_000).build();

  private Environment(String what, Set<Attribute> attributes) {
    this.what = what;
    this.attributes = attributes;
    var builder = CelFactory.plannerCelBuilder()
        .setOptions(OPTIONS)
        .setResultType(SimpleType.BOOL)
        .setStandardFunctions(CelStandardFunctions.newBuilder()
            .filterFunctions((function, overload) -> overload != TimestampOverload.STRING_TO_TIMESTAMP
                && overload != DurationOverload.STRING_TO_DURATION)
            .build())
        .addFunctionBindings(memoized("string_to_timestamp", TimestampOverload.STRING_TO_TIMESTAMP),
            memoized("string_to_duration", DurationOverload.STRING_TO_DURATION))
        .addFunctionDeclarations(CelFunctionDecl.newFunctionDeclaration(IN_IP_RANGE,
            CelOverloadDecl.newGlobalOverload("inIpRange_string_string",
                "true when the IP address (first argument) is in the CIDR block (second argument)",
                SimpleType.BOOL, SimpleType.STRING, SimpleType.STRING)))
        .addFunctionBindings(CelFunctionBinding.from("inIpRange_string_string", String.class, String.class,
            Cidrs::inRange));
    for (Attribute a : attributes) {
      builder.addVar(a.celName, a.type);
    }
    this.cel = builder.build();
  }

  /** The condition for {@code expression}, compiled now or taken from the cache. Thread-safe. */
  CompiledCondition compile(String expression) throws ConditionException {
    if (expression == null || expression.isBlank()) {
      throw new ConditionException("the expression is empty; write a CEL expression of type bool, such as "
          + "request.path.startsWith(\"/admin/\")");
    }
    if (expression.length() > MAX_LENGTH) {
      throw new ConditionException("the expression is " + expression.length() + " characters long; the limit is "
          + MAX_LENGTH + ". Split it, or move IP lists into an access level");
    }
    CelCondition hit = compiled.getIfPresent(expression);
    if (hit != null) {
      return hit;
    }
    CelAbstractSyntaxTree ast;
    try {
      ast = cel.compile(expression).getAst();
    } catch (CelValidationException e) {
      throw CompileErrors.translate(e, expression, what, attributes);
    }
    LiteralChecks.check(ast);
    CelRuntime.Program program;
    try {
      program = cel.createProgram(ast);
    } catch (CelEvaluationException e) {
      throw new ConditionException("the expression cannot be planned: " + e.getMessage());
    }
    CelCondition condition = new CelCondition(expression, program, referenced(ast), ast.getSource());
    compiled.put(expression, condition);
    return condition;
  }

  private static List<Attribute> referenced(CelAbstractSyntaxTree ast) {
    EnumSet<Attribute> used = EnumSet.noneOf(Attribute.class);
    for (CelReference ref : ast.getReferenceMap().values()) {
      Attribute a = Attribute.byName(ref.name());
      if (a != null) {
        used.add(a);
      }
    }
    return List.copyOf(used);
  }

  /**
   * A standard string conversion whose results are memoized: {@code timestamp('2026-12-01T00:00:00Z')}
   * otherwise parses its literal on every evaluation (about a microsecond), and CEL's constant folding
   * leaves timestamps alone. Errors are not cached; they are rare and say the same thing each time.
   */
  private static CelFunctionBinding memoized(String overloadId, CelStandardOverload standard) {
    CelFunctionOverload parse = standard.newFunctionBinding(OPTIONS,
        RuntimeEquality.create(RuntimeHelpers.create(), OPTIONS)).getDefinition();
    Cache<String, Object> results = Caffeine.newBuilder().maximumSize(4_096).build();
    return CelFunctionBinding.from(overloadId, List.of(String.class), args -> {
      Object hit = results.getIfPresent((String) args[0]);
      if (hit != null) {
        return hit;
      }
      Object value = parse.apply(args);
      results.put((String) args[0], value);
      return value;
    });
  }
}
