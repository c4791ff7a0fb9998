package dev.portcullis.gateway;

import dev.portcullis.session.SessionCookies;
import io.vertx.core.Future;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.MediaType;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import dev.portcullis.pages.ErrorPage;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * WebSocket upgrades, which go through vertx-http-proxy (ordinary exchanges go through {@link Forwarder}):
 * origin-form target, hop-by-hop headers and our own cookies off a response that is not a 101, and a
 * 502/504 page naming the service when the upstream cannot be reached.
 */
final class UpstreamInterceptor implements ProxyInterceptor {
  private final Route route;

  UpstreamInterceptor(Route route) {
    this.route = route;
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext ctx) {
    ctx.request().setURI(originForm(ctx.request().getURI()));
    return ctx.sendRequest().recover(failure -> Future.succeededFuture(errorResponse(ctx, failure)));
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext ctx) {
    ProxyResponse response = ctx.response();
    if (response.proxiedResponse() == null) {
      // Our own 502/504 page for an upgrade that never reached the upstream. The proxy's WebSocket path only
      // relays an upstream's status (and fails without one), so the page is sent from here.
      return response.send();
    }
    if (response.getStatusCode() != 101) {
      HeaderHygiene.stripOutbound(response.headers());
      SessionCookies.stripFromResponse(response.headers());
    }
    // The gateway has already put its own request id on the response.
    response.headers().remove("x-request-id");
    return ctx.sendResponse();
  }

  private ProxyResponse errorResponse(ProxyContext ctx, Throwable failure) {
    ErrorPage page = UpstreamErrors.page(route.name(),
        ctx.request().proxiedRequest().response().headers().get("x-request-id"), failure);
    ErrorPage.Rendered rendered = page.render(ctx.request().proxiedRequest().getHeader("accept"));
    ProxyResponse response = ctx.request().release().response();
    // The proxy sends a body's media type as Content-Type and ignores the header, so the type goes on the body.
    return response.setStatusCode(page.status())
        .putHeader("cache-control", "no-store")
        .putHeader(Gateway.GENERATED_HEADER, "true")
        .setBody(Body.body(rendered.body(), MediaType.parse(rendered.contentType())));
  }

  /** Absolute-form targets (already checked against Host) are sent upstream in origin form. */
  static String originForm(String uri) {
    if (uri.startsWith("/") || uri.equals("*")) {
      return uri;
    }
    try {
      URI u = new URI(uri);
      String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
      return u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
    } catch (URISyntaxException e) {
      return "/";
    }
  }
}
