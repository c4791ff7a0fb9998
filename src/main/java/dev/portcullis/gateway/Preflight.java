package dev.portcullis.gateway;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * A CORS preflight, as the Fetch standard makes it: OPTIONS with Origin and Access-Control-Request-Method.
 * Browsers send it without cookies, so behind IAP it can only pass unauthenticated, and only where the
 * service allows it (IAP's allow_http_options); the app answers it, and no identity goes with it.
 */
final class Preflight {
  private Preflight() {}

  static boolean is(HttpServerRequest request) {
    return request.method() == HttpMethod.OPTIONS && request.getHeader("origin") != null
        && request.getHeader("access-control-request-method") != null;
  }
}
