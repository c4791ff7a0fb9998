package dev.portcullis.gateway;

import dev.portcullis.pages.ErrorPage;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.TimeoutException;

/** The 502/504 page for an upstream that cannot be reached or does not answer in time; it names the service only. */
final class UpstreamErrors {
  private UpstreamErrors() {}

  static ErrorPage page(String service, String requestId, Throwable failure) {
    return isTimeout(failure)
        ? new ErrorPage(504, "Gateway timeout", "The service did not answer in time. Try again later; if it keeps "
            + "happening, tell the service's owners.", service, requestId)
        : new ErrorPage(502, "Bad gateway", "The service could not be reached. It may be down or restarting; "
            + "try again in a moment.", service, requestId);
  }

  /** Writes the page; the gateway has already put the request id on the response. */
  static void send(String service, HttpServerResponse response, String accept, Throwable failure) {
    ErrorPage page = page(service, response.headers().get("x-request-id"), failure);
    ErrorPage.Rendered rendered = page.render(accept);
    response.setStatusCode(page.status())
        .putHeader("content-type", rendered.contentType())
        .putHeader("cache-control", "no-store")
        .putHeader(Gateway.GENERATED_HEADER, "true")
        .putHeader("date", HttpDate.now())
        .end(rendered.body());
  }

  static boolean isTimeout(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof UpstreamTimeoutException || c instanceof TimeoutException || c instanceof ConnectTimeoutException
          || c.getClass().getSimpleName().contains("Timeout")) {
        return true;
      }
    }
    return false;
  }
}
