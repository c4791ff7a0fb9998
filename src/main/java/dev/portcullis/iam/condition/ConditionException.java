package dev.portcullis.iam.condition;

/**
 * An expression that cannot be used: empty, too long, not valid CEL, not type-correct over the declared
 * attributes, or not of type bool. The message names the position and the problem, e.g.
 * {@code line 1, column 20: undeclared reference to 'request.pathh'}.
 */
public final class ConditionException extends Exception {
  private final int line;
  private final int column;

  ConditionException(int line, int column, String problem) {
    super(line > 0 ? "line " + line + ", column " + column + ": " + problem : problem);
    this.line = line;
    this.column = column;
  }

  ConditionException(String problem) {
    this(0, 0, problem);
  }

  /** 1-based; 0 when the problem has no position (an empty or too long expression). */
  public int line() {
    return line;
  }

  /** 1-based, counted in Unicode code points; 0 when unknown. */
  public int column() {
    return column;
  }
}
