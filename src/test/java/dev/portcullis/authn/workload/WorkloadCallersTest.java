package dev.portcullis.authn.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.iam.PredefinedRoles;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.TestIdp;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workload identities from a trusted issuer (the in-process OIDC provider standing in for Kubernetes or
 * CI), and service-account JWTs at the admin API, where IAM roles govern them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkloadCallersTest {
  static final String AUDIENCE = "https://portcullis.test";
  static final String RUNNER = "ci-runner@default.iam.portcullis.internal";

  TestIdp idp;
  Upstreams upstreams;
  TestPortcullis portcullis;
  String service;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    idp = TestIdp.start();
    upstreams = new Upstreams();
    String upstream = upstreams.http(req -> req.response().end("hello " + req.path()));
    Map<String, String> keys = new HashMap<>();
    String ci = "workload.trusted_issuers.ci.";
    keys.put(ci + "issuer", idp.issuer().toString());
    keys.put(ci + "audiences", AUDIENCE);
    keys.put(ci + "principal", "serviceAccount:" + RUNNER);
    keys.put(ci + "required_claims", "repository=acme/app,ref=refs/heads/main");
    String people = "workload.trusted_issuers.people.";
    keys.put(people + "issuer", idp.issuer().toString());
    keys.put(people + "audiences", AUDIENCE);
    keys.put(people + "principal", "user:{email}");
    keys.put(people + "required_claims", "email_verified=true");
    portcullis = TestPortcullis.start(dir.resolve("data"), keys);
    assertThat(portcullis.admin("POST", "/v1/serviceAccounts", new JsonObject().put("accountId", "ci-runner"))
        .status()).isEqualTo(201);
    service = "dash";
    portcullis.createService(service, upstream, new JsonObject().put("iap", true));
    portcullis.grant("projects/default/services/dash", PredefinedRoles.ACCESSOR, "serviceAccount:" + RUNNER,
        "user:ana@example.com");
  }

  @AfterAll
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
    idp.close();
  }

  int status(String token) throws Exception {
    return RawHttp.send(portcullis.port(), "GET /x HTTP/1.1", "Host: " + portcullis.hostOf(service),
        "Authorization: Bearer " + token, "Connection: close").status();
  }

  @Test
  void idToken_fromATrustedIssuer_isAWorkloadIdentity() throws Exception {
    String t = idp.idToken("repo:acme/app:ref:refs/heads/main", AUDIENCE,
        Map.of("repository", "acme/app", "ref", "refs/heads/main"));
    assertThat(status(t)).isEqualTo(200);
  }

  @Test
  void idToken_missingARequiredClaim_isRefused() throws Exception {
    assertThat(status(idp.idToken("repo:acme/app:ref:refs/heads/dev", AUDIENCE,
        Map.of("repository", "acme/app", "ref", "refs/heads/dev")))).isEqualTo(401);
    assertThat(status(idp.idToken("repo:evil/app", AUDIENCE,
        Map.of("repository", "evil/app", "ref", "refs/heads/main")))).isEqualTo(401);
  }

  @Test
  void idToken_forAnotherAudience_isRefused() throws Exception {
    assertThat(status(idp.idToken("x", "https://elsewhere.test",
        Map.of("repository", "acme/app", "ref", "refs/heads/main")))).isEqualTo(401);
  }

  @Test
  void idToken_mappedToAUser_byItsVerifiedEmail() throws Exception {
    assertThat(status(idp.idToken("ana", AUDIENCE, Map.of("email", "Ana@Example.com", "email_verified", true))))
        .isEqualTo(200);
    assertThat(status(idp.idToken("bob", AUDIENCE, Map.of("email", "bob@example.com", "email_verified", true))))
        .isEqualTo(403);
    assertThat(status(idp.idToken("ana", AUDIENCE, Map.of("email", "ana@example.com", "email_verified", false))))
        .isEqualTo(401);
  }

  @Test
  void idToken_forAPersonDisabledInPortcullis_isRefused() throws Exception {
    portcullis.portcullis().accounts().orElseThrow().create("dina@example.com", java.util.Optional.empty(),
        "a long enough password");
    portcullis.grant("organization", "roles/iap.httpsResourceAccessor", "user:dina@example.com");
    String t = idp.idToken("dina", AUDIENCE, Map.of("email", "dina@example.com", "email_verified", true));
    assertThat(status(t)).isEqualTo(200);
    assertThat(portcullis.admin("POST", "/v1/users/dina@example.com:disable", new io.vertx.core.json.JsonObject())
        .status()).isEqualTo(200);
    assertThat(status(idp.idToken("dina", AUDIENCE, Map.of("email", "dina@example.com", "email_verified", true))))
        .isEqualTo(403);
  }

  @Test
  void idToken_signedByAnotherKey_isRefused() throws Exception {
    String genuine = idp.idToken("ana", AUDIENCE, Map.of("email", "ana@example.com", "email_verified", true));
    com.nimbusds.jwt.SignedJWT parsed = com.nimbusds.jwt.SignedJWT.parse(genuine);
    String forged = ServiceAccountJwtTest.signed(TestIdp.newKey(parsed.getHeader().getKeyID()),
        parsed.getHeader().getKeyID(), parsed.getJWTClaimsSet());
    assertThat(status(forged)).isEqualTo(401);
  }

  // The admin API

  HttpResponse<String> admin(String method, String path, String token) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(portcullis.adminUrl() + path))
        .header("authorization", "Bearer " + token)
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  KeyFile keyFor(String accountId) {
    TestPortcullis.AdminResponse a = portcullis.admin("POST", "/v1/serviceAccounts",
        new JsonObject().put("accountId", accountId));
    String email = a.body().getString("email");
    TestPortcullis.AdminResponse k = portcullis.admin("POST", "/v1/serviceAccounts/" + email + "/keys", null);
    return KeyFile.parse(k.body().getJsonObject("keyFile").encode());
  }

  @Test
  void adminApi_acceptsAServiceAccountJwt_andIamGovernsIt() throws Exception {
    KeyFile key = keyFor("admin-bot");
    String token = key.sign(portcullis.adminUrl() + "/*", Instant.now(), Duration.ofMinutes(5));
    HttpResponse<String> before = admin("GET", "/v1/serviceAccounts", token);
    assertThat(before.statusCode()).as(before.body()).isEqualTo(403);
    assertThat(before.body()).contains("serviceAccount:" + key.clientEmail());
    portcullis.grant("organization", PredefinedRoles.VIEWER, "serviceAccount:" + key.clientEmail());
    assertThat(admin("GET", "/v1/serviceAccounts", token).statusCode()).isEqualTo(200);
    // A viewer reads keys, but making one needs serviceAccounts.update.
    assertThat(admin("GET", "/v1/serviceAccounts/" + key.clientEmail() + "/keys", token).statusCode())
        .isEqualTo(200);
    assertThat(admin("POST", "/v1/serviceAccounts/" + key.clientEmail() + "/keys", token).statusCode())
        .isEqualTo(403);
    // Disabled: the next call is refused.
    portcullis.admin("POST", "/v1/serviceAccounts/" + key.clientEmail() + ":disable", new JsonObject());
    assertThat(admin("GET", "/v1/serviceAccounts", token).statusCode()).isEqualTo(401);
  }

  @Test
  void adminApi_refusesAJwtForAnotherAudience_whateverTheHostHeader() throws Exception {
    KeyFile key = keyFor("admin-bot2");
    portcullis.grant("organization", PredefinedRoles.VIEWER, "serviceAccount:" + key.clientEmail());
    String forGateway = key.sign("http://" + portcullis.hostOf(service) + "/*", Instant.now(), Duration.ofMinutes(5));
    assertThat(admin("GET", "/v1/serviceAccounts", forGateway).statusCode()).isEqualTo(401);
    RawHttp.Reply spoofed = RawHttp.send(portcullis.adminPort(), "GET /v1/serviceAccounts HTTP/1.1",
        "Host: " + portcullis.hostOf(service), "Authorization: Bearer " + forGateway, "Connection: close");
    assertThat(spoofed.status()).isEqualTo(401);
    String scoped = key.sign(portcullis.adminUrl() + "/v1/groups", Instant.now(), Duration.ofMinutes(5));
    assertThat(admin("GET", "/v1/serviceAccounts", scoped).statusCode()).isEqualTo(401);
    assertThat(admin("GET", "/v1/groups", scoped).statusCode()).isEqualTo(200);
  }
}
