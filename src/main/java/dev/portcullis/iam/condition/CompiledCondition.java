package dev.portcullis.iam.condition;

import java.util.Map;

/** A condition that compiled: immutable, safe to share between threads, cheap to evaluate. */
public interface CompiledCondition {

  /** The expression exactly as given. */
  String expression();

  /** Never throws: a run-time error counts as false, with the error in the result. */
  Evaluation evaluate(RequestAttributes request);

  /**
   * The attributes the expression mentions, by their CEL name, with the values this request gives them,
   * in a fixed order ({@code request.host, request.path, request.method, request.time, request.client_ip,
   * request.auth.access_levels}); time as an RFC 3339 string, an unknown client IP as null. For the
   * troubleshooter: "condition false, and the values it saw".
   */
  Map<String, Object> referencedValues(RequestAttributes request);
}
