package dev.portcullis.iam.condition;

import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The request attributes a condition can read, each declared to CEL as a variable with a dotted name, the
 * way Google's IAM Conditions declare them. The checker then resolves {@code request.path} as one name, so a
 * typo such as {@code request.pathh} is refused when the policy is set, not found false on every request.
 */
enum Attribute {
  HOST("request.host", SimpleType.STRING) {
    @Override
    Object value(RequestAttributes r) {
      return r.host();
    }
  },
  PATH("request.path", SimpleType.STRING) {
    @Override
    Object value(RequestAttributes r) {
      return r.path();
    }
  },
  METHOD("request.method", SimpleType.STRING) {
    @Override
    Object value(RequestAttributes r) {
      return r.method();
    }
  },
  TIME("request.time", SimpleType.TIMESTAMP) {
    @Override
    Object value(RequestAttributes r) {
      return r.time();
    }
  },
  CLIENT_IP("request.client_ip", SimpleType.STRING) {
    @Override
    Object value(RequestAttributes r) {
      return r.clientIp();
    }
  },
  ACCESS_LEVELS("request.auth.access_levels", ListType.create(SimpleType.STRING)) {
    @Override
    Object value(RequestAttributes r) {
      return r.accessLevels();
    }
  };

  private static final Map<String, Attribute> BY_NAME = new HashMap<>();

  static {
    for (Attribute a : values()) {
      BY_NAME.put(a.celName, a);
    }
  }

  final String celName;
  final CelType type;

  Attribute(String celName, CelType type) {
    this.celName = celName;
    this.type = type;
  }

  /** The value CEL evaluates with: a String, a java.time.Instant or a List of String; null when unknown. */
  abstract Object value(RequestAttributes r);

  /** The value as the troubleshooter shows it: times as RFC 3339 text. */
  Object display(RequestAttributes r) {
    Object v = value(r);
    return v instanceof Instant i ? i.toString() : v;
  }

  static Attribute byName(String celName) {
    return BY_NAME.get(celName);
  }
}
