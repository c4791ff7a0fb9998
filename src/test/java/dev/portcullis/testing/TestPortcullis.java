package dev.portcullis.testing;

import dev.portcullis.Portcullis;
import dev.portcullis.admin.AdminToken;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.Settings;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A real Portcullis on free loopback ports with its own data directory, for end-to-end tests.
 * Settings are given by config key, exactly as an operator would write them.
 */
public final class TestPortcullis implements AutoCloseable {
  private final Portcullis portcullis;
  private final String adminToken;
  private final HttpClient http = HttpClient.newHttpClient();

  private TestPortcullis(Portcullis portcullis, String adminToken) {
    this.portcullis = portcullis;
    this.adminToken = adminToken;
  }

  /** Starts with the demo off; pass e.g. Map.of("demo.enabled", "true") to change any key. */
  public static TestPortcullis start(Path dataDir, Map<String, String> overrides) throws IOException {
    Map<String, String> keys = new HashMap<>();
    keys.put("listen", "127.0.0.1:0");
    keys.put("admin.listen", "127.0.0.1:0");
    keys.put("data_dir", dataDir.toString());
    keys.put("demo.enabled", "false");
    keys.put("shutdown.timeout", "2s");
    keys.putAll(overrides);
    Settings settings = ConfigLoader.load(Optional.empty(), Map.of(), keys);
    Portcullis p = Portcullis.start(settings);
    String token = Files.readString(dataDir.resolve(AdminToken.FILE_NAME)).trim();
    return new TestPortcullis(p, token);
  }

  public static TestPortcullis start(Path dataDir) throws IOException {
    return start(dataDir, Map.of());
  }

  public Portcullis portcullis() {
    return portcullis;
  }

  public int port() {
    return portcullis.gatewayPort();
  }

  public int adminPort() {
    return portcullis.adminPort();
  }

  public String adminToken() {
    return adminToken;
  }

  public String adminUrl() {
    return "http://127.0.0.1:" + adminPort();
  }

  /** The Host header value a client uses for a service on the default domain. */
  public String hostOf(String service) {
    return service + "." + portcullis.settings().domain() + ":" + port();
  }

  /** Calls the admin API with the admin token; returns status and parsed body. */
  public AdminResponse admin(String method, String path, JsonObject body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(adminUrl() + path))
        .header("authorization", "Bearer " + adminToken)
        .header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode()));
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonObject json = r.body().isBlank() ? new JsonObject() : new JsonObject(r.body());
      return new AdminResponse(r.statusCode(), json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Registers a service through the admin API and fails the test if that is refused. */
  public JsonObject createService(String name, String upstream, JsonObject extra) {
    JsonObject body = new JsonObject().put("name", name).put("upstream", upstream);
    if (extra != null) {
      body.mergeIn(extra);
    }
    AdminResponse r = admin("POST", "/v1/services", body);
    if (r.status() != 201) {
      throw new AssertionError("creating service " + name + " failed: " + r.status() + " " + r.body().encode());
    }
    return r.body();
  }

  public JsonObject createService(String name, String upstream) {
    return createService(name, upstream, null);
  }

  /** Adds members to a role on a resource (read, modify, write with the etag) and fails the test if refused. */
  public JsonObject grant(String resource, String role, String... members) {
    AdminResponse current = admin("POST", "/v1/" + resource + ":getIamPolicy", new JsonObject());
    if (current.status() != 200) {
      throw new AssertionError("reading the policy of " + resource + " failed: " + current.body().encode());
    }
    JsonObject policy = current.body();
    io.vertx.core.json.JsonArray bindings = policy.getJsonArray("bindings", new io.vertx.core.json.JsonArray());
    bindings.add(new JsonObject().put("role", role).put("members", new io.vertx.core.json.JsonArray(java.util.List.of(members))));
    policy.put("bindings", bindings);
    AdminResponse r = admin("POST", "/v1/" + resource + ":setIamPolicy", new JsonObject().put("policy", policy));
    if (r.status() != 200) {
      throw new AssertionError("granting " + role + " on " + resource + " failed: " + r.status() + " " + r.body().encode());
    }
    return r.body();
  }

  /** For tests about sign-in rather than IAM: every signed-in person may reach every service. */
  public void grantAllSignedIn() {
    grant("organization", "roles/iap.httpsResourceAccessor", "allAuthenticatedUsers");
  }

  public record AdminResponse(int status, JsonObject body) {}

  @Override
  public void close() {
    portcullis.close();
  }
}
