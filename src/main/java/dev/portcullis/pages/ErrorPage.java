package dev.portcullis.pages;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * A response Portcullis writes itself. The same value renders as an HTML page for browsers and as
 * Google-style error JSON for everything else. It names the service, never the upstream's address.
 */
public record ErrorPage(int status, String title, String detail, String service, String requestId) {

  /** The rendered body and its content type. */
  public record Rendered(String contentType, Buffer body) {}

  public Rendered render(String acceptHeader) {
    if (wantsHtml(acceptHeader)) {
      return new Rendered("text/html; charset=utf-8", Buffer.buffer(Pages.render("error.jte", this)));
    }
    JsonObject error = new JsonObject()
        .put("code", status)
        .put("status", statusName(status))
        .put("message", title + ": " + detail);
    JsonObject json = new JsonObject().put("error", error).put("request_id", requestId);
    if (service != null) {
      json.put("service", service);
    }
    return new Rendered("application/json", json.toBuffer());
  }

  public static boolean wantsHtml(String accept) {
    return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/html");
  }

  /** The canonical status names Google APIs use in error bodies. */
  static String statusName(int status) {
    return switch (status) {
      case 400 -> "INVALID_ARGUMENT";
      case 401 -> "UNAUTHENTICATED";
      case 403 -> "PERMISSION_DENIED";
      case 404 -> "NOT_FOUND";
      case 409 -> "ABORTED";
      case 429 -> "RESOURCE_EXHAUSTED";
      case 502, 503 -> "UNAVAILABLE";
      case 504 -> "DEADLINE_EXCEEDED";
      default -> status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
    };
  }
}
