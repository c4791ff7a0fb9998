package dev.portcullis.gateway;

import dev.portcullis.pages.ErrorPage;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The last step before the upstream: origin-form target, response timeout, idle timeout on the
 * stream, upstream latency, hop-by-hop headers off the response, and a 502/504 page naming the service
 * when the upstream cannot be reached or does not answer in time.
 */
final class UpstreamInterceptor implements ProxyInterceptor {
  private static final String WATCHDOG = "portcullis.watchdog";

  private final Route route;
  private final Vertx vertx;

  UpstreamInterceptor(Route route, Vertx vertx) {
    this.route = route;
    this.vertx = vertx;
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext ctx) {
    ProxyRequest request = ctx.request();
    request.setURI(originForm(request.getURI()));
    if (ctx.isWebSocket()) {
      return ctx.sendRequest();
    }
    UpstreamWatchdog watchdog = new UpstreamWatchdog(vertx, ctx, route.responseMillis, route.idleMillis);
    ctx.set(WATCHDOG, watchdog);
    Body body = request.getBody();
    if (body != null && !request.headers().contains("content-length")
        && !request.headers().contains("transfer-encoding")) {
      // No framing, so no body (RFC 9112 6.3; an HTTP/2 body was given chunked framing by the gateway).
      // The library would still pipe the empty stream through; ending the upstream request directly
      // saves that machinery on every GET. The client's request is resumed so that its end is read.
      body.stream().resume();
      request.setBody(null);
      body = null;
    }
    if (body != null) {
      request.setBody(Body.body(new EndSignallingStream(body.stream(), watchdog::requestSent), body.length(), body.mediaType()));
    } else {
      watchdog.requestSent();
    }
    long started = System.nanoTime();
    return ctx.sendRequest()
        .map(response -> {
          route.upstreamLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
          watchdog.responseStarted();
          Body responseBody = response.getBody();
          if (responseBody != null) {
            response.setBody(Body.body(new DataSignallingStream(responseBody.stream(), watchdog::dataReceived),
                responseBody.length(), responseBody.mediaType()));
          }
          return response;
        })
        .recover(failure -> {
          watchdog.finish();
          return Future.succeededFuture(errorResponse(ctx, failure));
        });
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext ctx) {
    ProxyResponse response = ctx.response();
    if (!ctx.isWebSocket() || response.getStatusCode() != 101) {
      HeaderHygiene.stripOutbound(response.headers());
    }
    // The gateway has already put its own request id on the response.
    response.headers().remove("x-request-id");
    if (!ctx.isWebSocket()) {
      keepUpstreamDateVerbatim(ctx, response);
    }
    UpstreamWatchdog watchdog = ctx.get(WATCHDOG, UpstreamWatchdog.class);
    Future<Void> sent = ctx.sendResponse();
    return watchdog == null ? sent : sent.andThen(ar -> watchdog.finish());
  }

  /**
   * vertx-http-proxy parses the upstream's Date header with a DateTimeFormatter only to print it again,
   * which was about 5% of the CPU of a small exchange. The header is taken out of its way and written
   * back verbatim just before the response headers go out; without one, the proxy dates the response.
   */
  private static void keepUpstreamDateVerbatim(ProxyContext ctx, ProxyResponse response) {
    String date = response.headers().get("date");
    if (date != null) {
      response.headers().remove("date");
      HttpServerResponse out = ctx.request().proxiedRequest().response();
      out.headersEndHandler(v -> out.headers().set("date", date));
    }
  }

  private ProxyResponse errorResponse(ProxyContext ctx, Throwable failure) {
    boolean timeout = isTimeout(failure);
    ErrorPage page = timeout
        ? new ErrorPage(504, "Gateway timeout", "The service did not answer in time. Try again later; if it keeps "
            + "happening, tell the service's owners.", route.name(), requestId(ctx))
        : new ErrorPage(502, "Bad gateway", "The service could not be reached. It may be down or restarting; "
            + "try again in a moment.", route.name(), requestId(ctx));
    ErrorPage.Rendered rendered = page.render(ctx.request().proxiedRequest().getHeader("accept"));
    ProxyResponse response = ctx.request().release().response();
    return response.setStatusCode(page.status())
        .putHeader("content-type", rendered.contentType())
        .putHeader("cache-control", "no-store")
        .putHeader(Gateway.GENERATED_HEADER, "true")
        .setBody(Body.body(rendered.body()));
  }

  private static String requestId(ProxyContext ctx) {
    return ctx.request().proxiedRequest().response().headers().get("x-request-id");
  }

  private static boolean isTimeout(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof UpstreamTimeoutException || c instanceof TimeoutException || c instanceof ConnectTimeoutException
          || c.getClass().getSimpleName().contains("Timeout")) {
        return true;
      }
    }
    return false;
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
