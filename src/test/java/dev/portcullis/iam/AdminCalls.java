package dev.portcullis.iam;

import dev.portcullis.testing.TestPortcullis;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Admin API calls with a caller's own bearer token rather than the break-glass one. */
final class AdminCalls {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private AdminCalls() {}

  static TestPortcullis.AdminResponse call(TestPortcullis p, String token, String method, String path, JsonObject body)
      throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(p.adminUrl() + path))
        .header("authorization", "Bearer " + token)
        .header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode()))
        .build();
    HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    return new TestPortcullis.AdminResponse(r.statusCode(), r.body().isBlank() ? new JsonObject() : new JsonObject(r.body()));
  }
}
