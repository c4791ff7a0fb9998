package dev.portcullis.assertion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.portcullis.Portcullis;
import dev.portcullis.authn.User;
import dev.portcullis.iam.PredefinedRoles;
import dev.portcullis.session.Sessions;
import dev.portcullis.testing.Clients;
import dev.portcullis.testing.Clients.Reply;
import dev.portcullis.testing.SignedInSessions;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotation through the admin API, seen from an app that fetches the published keys over HTTP: the next key
 * is published before it signs, and the old one stays published after, for exactly one more rotation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyRotationTest {
  static final String AUDIENCE = "/projects/default/services/app";

  Upstreams upstreams;
  TestPortcullis portcullis;
  HttpClient client;
  SignedInSessions signedIn;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    portcullis = TestPortcullis.start(dir);
    client = upstreams.vertx().createHttpClient();
    signedIn = new SignedInSessions(portcullis, client);
    portcullis.createService("app", upstreams.http(Clients.echo()), new JsonObject().put("iap", true));
    portcullis.grantAllSignedIn();
  }

  @AfterAll
  void stop() throws Exception {
    portcullis.close();
    upstreams.close();
  }

  String assertion(String cookie) {
    Reply r = Clients.send(client, Clients.to(portcullis, "app", HttpMethod.GET, "/")
        .putHeader("cookie", "portcullis=" + cookie));
    assertThat(r.status()).isEqualTo(200);
    return Clients.seen(r.json(), "x-portcullis-jwt-assertion").get(0);
  }

  JWTClaimsSet verify(String jwt) throws Exception {
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256,
        JWKSourceBuilder.<SecurityContext>create(URI.create(jwksUrl()).toURL())
            .refreshAheadCache(false).cache(false).rateLimited(false).retrying(false).build()));
    processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(AUDIENCE,
        new JWTClaimsSet.Builder().issuer("https://auth.localhost").build(), Set.of("sub", "email", "iat", "exp")));
    return processor.process(jwt, null);
  }

  String jwksUrl() {
    return "http://127.0.0.1:" + portcullis.port() + "/_portcullis/jwks";
  }

  List<String> publishedKids() throws Exception {
    return JWKSet.load(URI.create(jwksUrl()).toURL()).getKeys().stream().map(JWK::getKeyID).toList();
  }

  /** kid by state, from the admin API. */
  String kid(JsonObject keys, String state) {
    return keys.getJsonArray("keys").stream().map(JsonObject.class::cast)
        .filter(k -> k.getString("state").equals(state)).map(k -> k.getString("kid")).findFirst().orElse(null);
  }

  @Test
  void rotation_publishesNextBeforeItSigns_keepsTheOldKeyForOneRotation_andOldAssertionsStillVerify()
      throws Exception {
    User u = portcullis.portcullis().accounts().orElseThrow()
        .create("rotating@example.com", Optional.empty(), "a password here");
    String cookie = signedIn.signIn(u, "app").cookie();
    JsonObject before = portcullis.admin("GET", "/v1/keys", null).body();
    String a = kid(before, "current");
    String b = kid(before, "next");
    assertThat(publishedKids()).containsExactlyInAnyOrder(a, b);
    String signedBefore = assertion(cookie);
    assertThat(SignedJWT.parse(signedBefore).getHeader().getKeyID()).isEqualTo(a);

    TestPortcullis.AdminResponse rotated = portcullis.admin("POST", "/v1/keys:rotate", new JsonObject());

    assertThat(rotated.status()).isEqualTo(200);
    assertThat(kid(rotated.body(), "previous")).isEqualTo(a);
    assertThat(kid(rotated.body(), "current")).isEqualTo(b);
    String c = kid(rotated.body(), "next");
    assertThat(c).isNotIn(a, b);
    assertThat(publishedKids()).containsExactlyInAnyOrder(a, b, c);
    assertThat(verify(signedBefore).getSubject()).isEqualTo(u.identity().subject());
    String signedAfter = assertion(cookie);
    assertThat(SignedJWT.parse(signedAfter).getHeader().getKeyID()).as("signs with the new key at once").isEqualTo(b);
    assertThat(verify(signedAfter).getSubject()).isEqualTo(u.identity().subject());

    portcullis.admin("POST", "/v1/keys:rotate", new JsonObject());

    assertThat(publishedKids()).doesNotContain(a).contains(b, c).hasSize(3);
    assertThatThrownBy(() -> verify(signedBefore)).isInstanceOf(BadJOSEException.class);
    assertThat(verify(signedAfter).getSubject()).isEqualTo(u.identity().subject());
  }

  @Test
  void keysEndpoints_needTheirPermissions_viewerListsButMayNotRotate() throws Exception {
    String viewer = apiToken("key-viewer@example.com");
    String admin = apiToken("key-admin@example.com");
    portcullis.grant("organization", PredefinedRoles.VIEWER, "user:key-viewer@example.com");
    portcullis.grant("organization", PredefinedRoles.ADMIN, "user:key-admin@example.com");

    TestPortcullis.AdminResponse listed = call(viewer, "GET", "/v1/keys");
    TestPortcullis.AdminResponse refused = call(viewer, "POST", "/v1/keys:rotate");
    TestPortcullis.AdminResponse allowed = call(admin, "POST", "/v1/keys:rotate");

    assertThat(listed.status()).isEqualTo(200);
    JsonArray keys = listed.body().getJsonArray("keys");
    assertThat(keys).isNotEmpty();
    assertThat(keys.encode()).doesNotContain("\"d\"").doesNotContain("private");
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.body().getJsonObject("error").getString("message")).contains("portcullis.keys.rotate");
    assertThat(allowed.status()).isEqualTo(200);
  }

  String apiToken(String email) {
    User u = portcullis.portcullis().accounts().orElseThrow().create(email, Optional.empty(), "a password here");
    Sessions sessions = portcullis.portcullis().sessions();
    Sessions.Created central = sessions.createCentral(u.identity(), portcullis.portcullis().settings().authHost(), null,
        "127.0.0.1", "test");
    return sessions.createForHost(central.session(), Portcullis.API_HOST, "127.0.0.1", "test").orElseThrow()
        .cookieValue();
  }

  TestPortcullis.AdminResponse call(String token, String method, String path) throws Exception {
    HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(portcullis.adminUrl() + path)).header("authorization", "Bearer " + token)
        .header("content-type", "application/json")
        .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    return new TestPortcullis.AdminResponse(r.statusCode(), r.body().isBlank() ? new JsonObject()
        : new JsonObject(r.body()));
  }
}
