package dev.portcullis.pages;

import io.vertx.core.http.HttpServerResponse;

/** Headers for every page and answer Portcullis writes itself. */
public final class Responses {
  public static final String GENERATED_HEADER = "x-portcullis-generated-response";

  private Responses() {}

  /** Marks a response as Portcullis's own and keeps it out of caches and frames. */
  public static HttpServerResponse own(HttpServerResponse response) {
    return response
        .putHeader(GENERATED_HEADER, "true")
        .putHeader("cache-control", "no-store")
        .putHeader("x-frame-options", "DENY")
        .putHeader("x-content-type-options", "nosniff")
        .putHeader("referrer-policy", "no-referrer")
        .putHeader("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'");
  }

  public static void html(HttpServerResponse response, int status, String html) {
    own(response).setStatusCode(status).putHeader("content-type", "text/html; charset=utf-8").end(html);
  }

  public static void redirect(HttpServerResponse response, String location) {
    own(response).setStatusCode(302).putHeader("location", location).end();
  }

  public static void error(HttpServerResponse response, String accept, ErrorPage page) {
    ErrorPage.Rendered r = page.render(accept);
    own(response).setStatusCode(page.status()).putHeader("content-type", r.contentType()).end(r.body());
  }
}
