package dev.portcullis.pages;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The 403 a signed-in caller gets when IAM refuses: who they are signed in as, the service, the request
 * id, a way to switch accounts, and the administrator's message if one is set. Never the reason (which
 * bindings exist is not the caller's business); that goes to the log and the audit record.
 */
public record DeniedPage(String principal, String service, String requestId, String message,
    String switchAccountHref) {

  public ErrorPage.Rendered render(String acceptHeader) {
    if (ErrorPage.wantsHtml(acceptHeader)) {
      return new ErrorPage.Rendered("text/html; charset=utf-8", Buffer.buffer(Pages.render("denied.jte", this)));
    }
    JsonObject error = new JsonObject().put("code", 403).put("status", "PERMISSION_DENIED")
        .put("message", principal + " is not allowed to use service " + service
            + (message == null ? "" : ". " + message));
    return new ErrorPage.Rendered("application/json", new JsonObject().put("error", error)
        .put("request_id", requestId).put("service", service).put("principal", principal).toBuffer());
  }
}
