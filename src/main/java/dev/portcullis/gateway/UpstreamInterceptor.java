package dev.portcullis.gateway;

import dev.portcullis.assertion.UpstreamIdentity;
import dev.portcullis.pages.ErrorPage;
import dev.portcullis.session.SessionCookies;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.streams.Pipe;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.MediaType;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The last step before the upstream: origin-form target, response timeout, idle timeout on the
 * stream, upstream latency, hop-by-hop headers off the response, and a 502/504 page naming the service
 * when the upstream cannot be reached or does not answer in time.
 */
final class UpstreamInterceptor implements ProxyInterceptor {
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
      return ctx.sendRequest().recover(failure -> Future.succeededFuture(errorResponse(ctx, failure)));
    }
    ResponseDeadline deadline = new ResponseDeadline(ctx);
    Body body = request.getBody();
    if (body != null) {
      Runnable onFirstData = body.length() < 0 && request.version() == HttpVersion.HTTP_2
          ? () -> chunked(ctx)
          : () -> {};
      request.setBody(Body.body(new SignallingStream(body.stream(), onFirstData, deadline::start), body.length(),
          body.mediaType()));
    } else {
      deadline.start();
    }
    long started = System.nanoTime();
    return ctx.sendRequest()
        .andThen(ar -> deadline.cancel())
        .map(response -> {
          route.upstreamLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
          HttpClientRequest origin = ctx.get(Route.ORIGIN_REQUEST, HttpClientRequest.class);
          Body responseBody = response.getBody();
          if (origin != null && responseBody != null) {
            response.setBody(Body.body(new IdleTimeoutStream(vertx, responseBody.stream(), route.idleMillis,
                () -> origin.reset(0, UpstreamTimeoutException.idle(route.idleMillis))),
                responseBody.length(), responseBody.mediaType()));
          }
          return response;
        })
        .recover(failure -> Future.succeededFuture(errorResponse(ctx, failure)));
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext ctx) {
    ProxyResponse response = ctx.response();
    if (ctx.isWebSocket() && response.proxiedResponse() == null) {
      // Our own 502/504 page for an upgrade that never reached the upstream. The proxy's WebSocket path only
      // relays an upstream's status (and fails without one), so the page is sent from here.
      return response.send();
    }
    if (!ctx.isWebSocket() || response.getStatusCode() != 101) {
      HeaderHygiene.stripOutbound(response.headers());
      SessionCookies.stripFromResponse(response.headers());
      privateUnlessSaidOtherwise(ctx, response);
    }
    // The gateway has already put its own request id on the response.
    response.headers().remove("x-request-id");
    if (!ctx.isWebSocket() && ctx.request().proxiedRequest().version() == HttpVersion.HTTP_1_0
        && response.getBody() != null && response.getBody().length() < 0) {
      return sendUntilClose(ctx, response);
    }
    if (!ctx.isWebSocket()) {
      keepUpstreamDateVerbatim(ctx, response);
    }
    return ctx.sendResponse();
  }

  /**
   * A response to a signed-in caller is about that caller: shared caches must not keep it unless the app
   * said they may. Only Portcullis sets the user id header on the way in (hygiene strips the client's).
   */
  private static void privateUnlessSaidOtherwise(ProxyContext ctx, ProxyResponse response) {
    if (ctx.request().proxiedRequest().headers().contains(UpstreamIdentity.USER_ID)
        && !response.headers().contains("cache-control")) {
      response.putHeader("cache-control", "private");
    }
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

  /**
   * HTTP/1.0 has no chunked encoding, and for an HTTP/1.0 client the proxy gathers a body of unknown length
   * whole in memory to give it a Content-Length (a 1 GB download, 1 GB of heap). Here the body is streamed
   * instead and its end marked by closing the connection, as HTTP/1.0 allows (RFC 9112, section 6.3).
   * This stands in for the proxy's last step, so this interceptor must stay the first one added to a route.
   */
  private static Future<Void> sendUntilClose(ProxyContext ctx, ProxyResponse response) {
    HttpServerRequest client = ctx.request().proxiedRequest();
    HttpServerResponse out = client.response();
    out.setStatusCode(response.getStatusCode());
    if (response.getStatusMessage() != null) {
      out.setStatusMessage(response.getStatusMessage());
    }
    for (Map.Entry<String, String> h : response.headers()) {
      if (!h.getKey().equalsIgnoreCase("content-type") && !h.getKey().equalsIgnoreCase("content-length")) {
        out.headers().add(h.getKey(), h.getValue());
      }
    }
    Body body = response.getBody();
    if (body.mediaType() != null) {
      out.putHeader("content-type", body.mediaType());
    }
    // Vert.x writes "Connection: keep-alive" for an HTTP/1.0 client that asked for it; this runs after that.
    out.headersEndHandler(v -> out.headers().set("connection", "close"));
    Pipe<Buffer> pipe = body.stream().pipe();
    pipe.endOnFailure(false);
    return pipe.to(out).transform(ar -> {
      if (ar.failed()) {
        HttpClientRequest origin = ctx.get(Route.ORIGIN_REQUEST, HttpClientRequest.class);
        if (origin != null) {
          origin.reset();
        }
      }
      client.connection().close();
      // Handled here either way: the head has gone out, so the proxy has no other answer left to give.
      return Future.<Void>succeededFuture();
    });
  }

  /**
   * An HTTP/2 request body has no framing header, and whether there is one at all is known only once data
   * or the end of the stream arrives. The HTTP/1.1 upstream request is made chunked on the first data; a
   * request that ends without data (every GET) goes upstream without a body, not as an empty chunked one.
   */
  private static void chunked(ProxyContext ctx) {
    HttpClientRequest origin = ctx.get(Route.ORIGIN_REQUEST, HttpClientRequest.class);
    if (origin != null && !origin.isChunked()) {
      origin.setChunked(true);
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
    // The proxy sends a body's media type as Content-Type and ignores the header, so the type goes on the body.
    return response.setStatusCode(page.status())
        .putHeader("cache-control", "no-store")
        .putHeader(Gateway.GENERATED_HEADER, "true")
        .setBody(Body.body(rendered.body(), MediaType.parse(rendered.contentType())));
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

  /** Starts when the request body has been sent; fails the exchange if no response headers come in time. */
  private final class ResponseDeadline {
    private final ProxyContext ctx;
    private long timer = -1;
    private boolean done;

    ResponseDeadline(ProxyContext ctx) {
      this.ctx = ctx;
    }

    void start() {
      if (done || timer >= 0) {
        return;
      }
      timer = vertx.setTimer(route.responseMillis, id -> {
        timer = -1;
        HttpClientRequest origin = ctx.get(Route.ORIGIN_REQUEST, HttpClientRequest.class);
        if (!done && origin != null) {
          origin.reset(0, UpstreamTimeoutException.response(route.responseMillis));
        }
      });
    }

    void cancel() {
      done = true;
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }
}
