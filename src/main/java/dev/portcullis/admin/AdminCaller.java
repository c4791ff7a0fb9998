package dev.portcullis.admin;

import dev.portcullis.iam.Principal;
import dev.portcullis.iam.RequestFacts;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Optional;

/**
 * Who is calling the admin API: the holder of the bootstrap admin token (break-glass, allowed everything),
 * or a person or service account whose roles IAM checks on every call.
 */
record AdminCaller(boolean breakGlass, Optional<Principal> principal) {
  static final String KEY = "portcullis.caller";
  static final AdminCaller BREAK_GLASS = new AdminCaller(true, Optional.empty());

  static AdminCaller of(Principal p) {
    return new AdminCaller(false, Optional.of(p));
  }

  static AdminCaller of(RoutingContext rc) {
    AdminCaller c = rc.get(KEY);
    if (c == null) {
      throw new IllegalStateException("admin request without an authenticated caller");
    }
    return c;
  }

  /** What a condition sees for an admin call: the admin listener's host, the path, the caller's address. */
  static RequestFacts facts(RoutingContext rc) {
    String host = rc.request().authority() == null ? "" : rc.request().authority().host();
    String ip = rc.request().remoteAddress() == null ? null : rc.request().remoteAddress().hostAddress();
    return new RequestFacts(host, rc.request().path(), rc.request().method().name(), Instant.now(), ip);
  }

  String describe() {
    return breakGlass ? "the bootstrap admin token" : principal.get().memberKey();
  }
}
