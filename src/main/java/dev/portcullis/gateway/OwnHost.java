package dev.portcullis.gateway;

import io.vertx.core.http.HttpServerRequest;

/**
 * A host Portcullis serves itself rather than forwarding (the console). The gateway has already checked
 * the request target and answered the sign-in callback; the host finds the session and decides the rest.
 */
@FunctionalInterface
public interface OwnHost {
  void handle(HttpServerRequest request, Exchange exchange);
}
