package dev.portcullis.gateway;

import dev.portcullis.pages.Responses;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Supplier;

/**
 * The published assertion keys: {@code /.well-known/jwks.json} on the sign-in host and
 * {@code /_portcullis/jwks} on every host, so an app can fetch them from the host it is served on.
 * Public and cacheable for five minutes: a key is published a whole rotation before it signs.
 */
final class JwksEndpoint {
  static final String WELL_KNOWN_PATH = "/.well-known/jwks.json";
  static final String PATH = "/_portcullis/jwks";

  private final Supplier<String> jwks;

  JwksEndpoint(Supplier<String> jwks) {
    this.jwks = jwks;
  }

  static boolean matches(String path, boolean signInHost) {
    return path.equals(PATH) || (signInHost && path.equals(WELL_KNOWN_PATH));
  }

  void serve(HttpServerRequest request) {
    if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      Responses.own(request.response()).setStatusCode(405).putHeader("allow", "GET, HEAD")
          .putHeader("cache-control", "no-store").end();
      return;
    }
    Responses.own(request.response())
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "public, max-age=300")
        .putHeader("access-control-allow-origin", "*")
        .end(jwks.get());
  }
}
