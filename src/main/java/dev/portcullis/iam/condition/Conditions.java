package dev.portcullis.iam.condition;

/**
 * Compiles IAM condition expressions. Compiled conditions are cached by expression text (bounded), so
 * setting a policy compiles each new expression once and the decision never compiles. Thread-safe.
 */
public final class Conditions {
  /** The longest expression accepted, in characters. */
  public static final int MAX_LENGTH = Environment.MAX_LENGTH;

  private Conditions() {}

  /**
   * Type-checks {@code expression} against the request attributes and {@code inIpRange}; it must be of type
   * bool. Refused with the position and the problem when it is empty, too long, not valid CEL, refers to
   * anything undeclared, or holds a literal that can never work (a bad CIDR block, timestamp, time zone).
   */
  public static CompiledCondition compile(String expression) throws ConditionException {
    return Environment.CONDITIONS.compile(expression);
  }

  /** The same for an access level's expression, which cannot read request.auth.access_levels. */
  static CompiledCondition compileAccessLevel(String expression) throws ConditionException {
    return Environment.ACCESS_LEVELS.compile(expression);
  }
}
