package dev.portcullis.iam.condition;

import java.util.Optional;

/**
 * The outcome of one condition on one request. An expression that fails at run time (a missing attribute,
 * a bad conversion, an unknown time zone) is false, with the error saying why.
 */
public record Evaluation(boolean value, Optional<String> error) {
  static final Evaluation TRUE = new Evaluation(true, Optional.empty());
  static final Evaluation FALSE = new Evaluation(false, Optional.empty());

  public Evaluation {
    if (value && error.isPresent()) {
      throw new IllegalArgumentException("a failed evaluation is never true");
    }
  }

  static Evaluation of(boolean value) {
    return value ? TRUE : FALSE;
  }

  static Evaluation failed(String error) {
    return new Evaluation(false, Optional.of(error));
  }
}
