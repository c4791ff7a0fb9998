package dev.portcullis.authn;

import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;

/**
 * Query parameters read without trusting the query to be well formed. Vert.x throws on a malformed
 * percent-escape ({@code ?code=%zz}, {@code ?q=100%}); thrown on the event loop, that left the request
 * without an answer. Here such a query simply has no parameters.
 */
public final class QueryParams {
  private QueryParams() {}

  /** The first value of a parameter, decoded once; empty when absent or when the query is malformed. */
  public static Optional<String> first(HttpServerRequest req, String name) {
    try {
      return Optional.ofNullable(req.getParam(name));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
