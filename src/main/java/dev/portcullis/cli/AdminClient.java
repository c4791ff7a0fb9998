package dev.portcullis.cli;

import dev.portcullis.gateway.Gateway;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The admin API as the command line sees it: one call, one JSON answer, or a {@link CliException} whose
 * message is what the API said, with each field it refused on a line of its own.
 */
final class AdminClient {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /** Set on the answers the proxy listener writes itself: --admin-url points at the wrong listener. */
  private static final String PROXY_RESPONSE_HEADER = Gateway.GENERATED_HEADER;

  private final URI base;
  private final String token;
  private final String tokenSource;
  private final HttpClient http;
  private final Function<String, String> flagFor;

  /** {@code flagFor} names the command-line flag that sets an API field, or null when there is none. */
  AdminClient(URI base, String token, String tokenSource, Function<String, String> flagFor) {
    this.base = base;
    this.token = token;
    this.tokenSource = tokenSource;
    this.flagFor = flagFor;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** One path segment (or query value) as typed: URL-encoded, with spaces as %20; no trimming. */
  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  JsonObject get(String path) {
    return call("GET", path, null, Optional.empty());
  }

  JsonObject post(String path, JsonObject body) {
    return call("POST", path, body, Optional.empty());
  }

  JsonObject patch(String path, JsonObject body, Optional<String> ifMatch) {
    return call("PATCH", path, body, ifMatch);
  }

  JsonObject delete(String path, Optional<String> ifMatch) {
    return call("DELETE", path, null, ifMatch);
  }

  private JsonObject call(String method, String path, JsonObject body, Optional<String> ifMatch) {
    URI uri = base.resolve(path);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .timeout(REQUEST_TIMEOUT)
        .header("authorization", "Bearer " + token)
        .header("accept", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      request.header("content-type", "application/json");
    }
    ifMatch.ifPresent(e -> request.header("if-match", e));
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpConnectTimeoutException e) {
      throw unreachable("did not accept a connection within " + CONNECT_TIMEOUT.toSeconds() + "s");
    } catch (HttpTimeoutException e) {
      throw new CliException("the admin API at " + base + " did not answer within "
          + REQUEST_TIMEOUT.toSeconds() + "s", 1);
    } catch (ConnectException e) {
      throw unreachable("connection refused");
    } catch (IOException e) {
      throw unreachable(describe(e));
    } catch (UnresolvedAddressException e) {
      throw unreachable("unknown host");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted", 1);
    }
    JsonObject json = parse(response);
    if (response.statusCode() / 100 == 2) {
      if (json == null) {
        throw notTheAdminApi(response);
      }
      return json;
    }
    throw apiError(response, json);
  }

  private CliException unreachable(String why) {
    return new CliException("the admin API at " + base + " is not reachable (" + why + "); start Portcullis with "
        + "'portcullis serve', or point --admin-url (or PORTCULLIS_ADMIN_URL) at its admin listener", 1);
  }

  private static String describe(IOException e) {
    Throwable t = e;
    while (t.getCause() != null && (t.getMessage() == null || t.getMessage().isBlank())) {
      t = t.getCause();
    }
    if (t instanceof ConnectException || t.getCause() instanceof ConnectException) {
      return "connection refused";
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static JsonObject parse(HttpResponse<String> response) {
    String contentType = response.headers().firstValue("content-type").orElse("");
    if (!contentType.startsWith("application/json")) {
      return null;
    }
    try {
      return new JsonObject(response.body());
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private CliException notTheAdminApi(HttpResponse<String> response) {
    if (response.headers().firstValue(PROXY_RESPONSE_HEADER).isPresent()) {
      return new CliException(base + " is Portcullis's proxy listener, not its admin API; point --admin-url at the "
          + "admin listener (serve's --admin-listen, default " + AdminOptions.DEFAULT_URL + ")", 1);
    }
    return new CliException(base + " answered " + response.statusCode() + " without a JSON body; is --admin-url "
        + "the admin listener (default port 8081) rather than the proxy?", 1);
  }

  private CliException apiError(HttpResponse<String> response, JsonObject json) {
    JsonObject error = json == null ? null : json.getJsonObject("error");
    if (error == null || response.headers().firstValue(PROXY_RESPONSE_HEADER).isPresent()) {
      return notTheAdminApi(response);
    }
    String status = error.getString("status", "");
    String message = error.getString("message", "");
    List<String> violations = fieldViolations(error, flagFor);
    StringBuilder out = new StringBuilder();
    if (!violations.isEmpty()) {
      out.append("the admin API refused the request (").append(response.statusCode()).append(' ').append(status)
          .append("):");
      violations.forEach(v -> out.append("\n  ").append(v));
    } else {
      out.append(message).append(" (").append(response.statusCode()).append(' ').append(status).append(')');
    }
    if (response.statusCode() == 401) {
      out.append("\n  the token came from ").append(tokenSource)
          .append("; use the admin-token file of the data directory the server runs with (--data-dir or --token-file)");
    }
    return new CliException(out.toString(), 1, response.statusCode());
  }

  /** "field: description" for each violation, naming the command-line flag that sets the field where there is one. */
  private static List<String> fieldViolations(JsonObject error, Function<String, String> flagFor) {
    List<String> out = new ArrayList<>();
    JsonArray details = error.getJsonArray("details", new JsonArray());
    for (int i = 0; i < details.size(); i++) {
      if (!(details.getValue(i) instanceof JsonObject detail)) {
        continue;
      }
      JsonArray violations = detail.getJsonArray("fieldViolations", new JsonArray());
      for (int j = 0; j < violations.size(); j++) {
        if (violations.getValue(j) instanceof JsonObject v) {
          String field = v.getString("field", "?");
          String flag = flagFor.apply(field);
          out.add(field + (flag == null ? "" : " (" + flag + ")") + ": " + v.getString("description", ""));
        }
      }
    }
    return out;
  }
}
