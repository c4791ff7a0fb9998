package dev.portcullis.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The service fields that create and update share, turned into the JSON the admin API takes. */
final class ServiceFlags {
  /** Value of a timeout flag that goes back to the process-wide default. */
  static final String DEFAULT = "default";

  private static final Map<String, String> FLAGS = Map.ofEntries(
      Map.entry("name", "NAME"),
      Map.entry("upstream", "--upstream"),
      Map.entry("project", "--project"),
      Map.entry("hosts", "--host"),
      Map.entry("iap", "--iap"),
      Map.entry("ingress", "--ingress"),
      Map.entry("timeouts.connect", "--connect-timeout"),
      Map.entry("timeouts.response", "--response-timeout"),
      Map.entry("timeouts.idle", "--idle-timeout"),
      Map.entry("reauthMaxAge", "--reauth-max-age"),
      Map.entry("accessDeniedPageUri", "--access-denied-page"),
      Map.entry("accessDeniedMessage", "--access-denied-message"),
      Map.entry("assertionAudience", "--assertion-audience"),
      Map.entry("assertionGroups", "--assertion-groups"),
      Map.entry("iapCompatible", "--iap-compatible"),
      Map.entry("allowHttpOptions", "--allow-http-options"),
      Map.entry("etag", "--etag"));

  @Option(names = "--project", paramLabel = "PROJECT", description = "project the service belongs to (default: default)")
  String project;

  @Option(names = "--host", paramLabel = "HOST",
      description = "extra host name the service answers on, e.g. dash.example.com (repeatable)")
  List<String> hosts;

  @Option(names = "--iap", negatable = true,
      description = "require sign-in through Portcullis (--no-iap: pass requests through unauthenticated)")
  Boolean iap;

  @Option(names = "--ingress", paramLabel = "all|internal",
      description = "which clients may reach it: all, or internal (only the configured internal networks)")
  String ingress;

  @Option(names = "--connect-timeout", paramLabel = "DURATION",
      description = "upstream connect timeout, e.g. 5s; '" + DEFAULT + "' for the server's setting")
  String connectTimeout;

  @Option(names = "--response-timeout", paramLabel = "DURATION",
      description = "time allowed for the upstream's response headers, e.g. 60s; '" + DEFAULT + "' for the server's setting")
  String responseTimeout;

  @Option(names = "--idle-timeout", paramLabel = "DURATION",
      description = "idle time allowed on an upstream connection, e.g. 300s; '" + DEFAULT + "' for the server's setting")
  String idleTimeout;

  @Option(names = "--reauth-max-age", paramLabel = "DURATION",
      description = "make callers sign in again once their sign-in is older than this, e.g. 8h; 'none' to turn off")
  String reauthMaxAge;

  @Option(names = "--access-denied-page", paramLabel = "URL",
      description = "send signed-in callers who are refused to this page (IAP's access_denied_page_uri); 'none' to turn off")
  String accessDeniedPage;

  @Option(names = "--access-denied-message", paramLabel = "TEXT",
      description = "a message shown on the access-denied page, e.g. who to ask for access; 'none' to remove")
  String accessDeniedMessage;

  @Option(names = "--assertion-audience", paramLabel = "AUDIENCE",
      description = "the aud of the signed assertion, e.g. /projects/123/global/backendServices/456; "
          + "'default' for /projects/PROJECT/services/NAME")
  String assertionAudience;

  @Option(names = "--assertion-groups", negatable = true,
      description = "list the caller's groups in the signed assertion (off by default)")
  Boolean assertionGroups;

  @Option(names = "--iap-compatible", negatable = true,
      description = "also send Google IAP's x-goog-iap-jwt-assertion and X-Goog-Authenticated-User-* headers")
  Boolean iapCompatible;

  @Option(names = "--allow-http-options", negatable = true,
      description = "let CORS preflight requests (OPTIONS with Origin and Access-Control-Request-Method) through "
          + "without sign-in; the app must answer them itself (IAP's allow_http_options)")
  Boolean allowHttpOptions;

  /** The fields given on the command line, and only those. */
  JsonObject toJson() {
    JsonObject body = new JsonObject();
    if (project != null) {
      body.put("project", project);
    }
    if (hosts != null) {
      body.put("hosts", new JsonArray(List.copyOf(hosts)));
    }
    if (iap != null) {
      body.put("iap", iap);
    }
    if (ingress != null) {
      body.put("ingress", ingress);
    }
    JsonObject timeouts = new JsonObject();
    timeout(timeouts, "connect", connectTimeout);
    timeout(timeouts, "response", responseTimeout);
    timeout(timeouts, "idle", idleTimeout);
    if (!timeouts.isEmpty()) {
      body.put("timeouts", timeouts);
    }
    if (reauthMaxAge != null) {
      body.put("reauthMaxAge", reauthMaxAge.trim().equalsIgnoreCase("none") ? null : reauthMaxAge.trim());
    }
    if (accessDeniedPage != null) {
      body.put("accessDeniedPageUri", accessDeniedPage.trim().equalsIgnoreCase("none") ? null : accessDeniedPage.trim());
    }
    if (accessDeniedMessage != null) {
      body.put("accessDeniedMessage", accessDeniedMessage.trim().equalsIgnoreCase("none") ? null : accessDeniedMessage);
    }
    if (assertionAudience != null) {
      body.put("assertionAudience", assertionAudience.trim().equalsIgnoreCase(DEFAULT) ? null : assertionAudience.trim());
    }
    if (assertionGroups != null) {
      body.put("assertionGroups", assertionGroups);
    }
    if (iapCompatible != null) {
      body.put("iapCompatible", iapCompatible);
    }
    if (allowHttpOptions != null) {
      body.put("allowHttpOptions", allowHttpOptions);
    }
    return body;
  }

  private static void timeout(JsonObject timeouts, String field, String value) {
    if (value != null) {
      timeouts.put(field, value.trim().equalsIgnoreCase(DEFAULT) ? null : value.trim());
    }
  }

  /** The flag that sets an API field, e.g. --connect-timeout for timeouts.connect and --host for hosts[2]. */
  static String flagFor(String field) {
    int bracket = field.indexOf('[');
    return FLAGS.get(bracket < 0 ? field : field.substring(0, bracket));
  }
}
