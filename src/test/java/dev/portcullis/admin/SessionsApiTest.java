package dev.portcullis.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.authn.User;
import dev.portcullis.authn.local.LocalAccounts;
import dev.portcullis.testing.SignedInSessions;
import dev.portcullis.testing.SignedInSessions.SignIn;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** /v1/sessions end to end: sessions made as the sign-in host makes them, requests through the real gateway. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionsApiTest {
  Upstreams upstreams;
  TestPortcullis portcullis;
  SignedInSessions signedIn;
  LocalAccounts accounts;
  final AtomicInteger names = new AtomicInteger();
  final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    String upstream = upstreams.http(req -> req.response().end("behind iap"));
    portcullis = TestPortcullis.start(dir);
    accounts = portcullis.portcullis().accounts().orElseThrow();
    signedIn = new SignedInSessions(portcullis, upstreams.vertx().createHttpClient());
    portcullis.createService("one", upstream, new JsonObject().put("iap", true));
    portcullis.createService("two", upstream, new JsonObject().put("iap", true));
    portcullis.grantAllSignedIn();
  }

  @AfterAll
  void stop() throws Exception {
    if (portcullis != null) {
      portcullis.close();
    }
    upstreams.close();
  }

  User user(String prefix) {
    String email = prefix + "-" + names.incrementAndGet() + "@example.com";
    return accounts.create(email, Optional.of("Someone"), "a password here");
  }

  record Raw(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    List<JsonObject> sessions() {
      return json().getJsonArray("sessions").stream().map(JsonObject.class::cast).toList();
    }
  }

  Raw call(String method, String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(portcullis.adminUrl() + path))
        .header("authorization", "Bearer " + portcullis.adminToken())
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    return new Raw(r.statusCode(), r.body());
  }

  Raw listFor(User u) throws Exception {
    Raw r = call("GET", "/v1/sessions?user=" + URLEncoder.encode(u.email(), StandardCharsets.UTF_8));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r;
  }

  /** Neither the cookie value, nor its hash (what the store looks sessions up by), nor the ID token. */
  static void assertNoSecrets(Raw r, SignIn... signIns) {
    assertThat(r.body()).doesNotContain(SignedInSessions.ID_TOKEN).doesNotContain("idHash").doesNotContain("idToken")
        .doesNotContain("parentHash");
    for (SignIn s : signIns) {
      assertThat(r.body()).doesNotContain(s.cookie()).doesNotContain(s.central().cookieValue())
          .doesNotContain(s.hostSession().idHash()).doesNotContain(s.central().session().idHash());
    }
  }

  @Test
  void list_showsTheCentralAndHostSessionsOfASignIn_withoutSecrets() throws Exception {
    User u = user("listed");
    SignIn s = signedIn.signIn(u, "one");

    Raw r = listFor(u);

    assertNoSecrets(r, s);
    assertThat(r.sessions()).hasSize(2);
    JsonObject host = r.sessions().stream().filter(j -> !j.getBoolean("central")).findFirst().orElseThrow();
    JsonObject central = r.sessions().stream().filter(j -> j.getBoolean("central")).findFirst().orElseThrow();
    assertThat(host.getString("id")).isEqualTo(s.hostSession().publicId());
    assertThat(host.getString("user")).isEqualTo(u.email());
    assertThat(host.getString("provider")).isEqualTo("local");
    assertThat(host.getString("host")).isEqualTo("one.localhost");
    assertThat(host.getString("clientIp")).isEqualTo("127.0.0.1");
    assertThat(host.getString("userAgent")).isEqualTo("test");
    assertThat(host.getString("createTime")).isNotBlank();
    assertThat(host.getString("lastSeen")).isNotBlank();
    assertThat(host.getString("expireTime")).isEqualTo(s.hostSession().expireTime().toString());
    assertThat(central.getString("id")).isEqualTo(s.central().session().publicId());
    assertThat(central.getString("host")).isEqualTo(portcullis.portcullis().settings().authHost());

    Raw all = call("GET", "/v1/sessions");
    assertThat(all.status()).isEqualTo(200);
    assertNoSecrets(all, s);
    assertThat(all.sessions()).extracting(j -> j.getString("id"))
        .contains(s.hostSession().publicId(), s.central().session().publicId());
  }

  @Test
  void list_filteredByUser_leavesOthersOut() throws Exception {
    User a = user("a");
    User b = user("b");
    SignIn sa = signedIn.signIn(a, "one");
    SignIn sb = signedIn.signIn(b, "two");

    Raw r = call("GET", "/v1/sessions?user=" + URLEncoder.encode(a.email().toUpperCase(), StandardCharsets.UTF_8));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.sessions()).extracting(j -> j.getString("user")).containsOnly(a.email());
    assertThat(r.body()).contains(sa.hostSession().publicId()).doesNotContain(sb.hostSession().publicId());
  }

  @Test
  void list_refusesAUserThatIsNotAnEmail() throws Exception {
    Raw r = call("GET", "/v1/sessions?user=nope");

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getJsonObject("error").getJsonArray("details").getJsonObject(0)
        .getJsonArray("fieldViolations").getJsonObject(0).getString("field")).isEqualTo("user");
  }

  @Test
  void revoke_aHostSession_endsTheWholeSignIn_onTheNextRequest() throws Exception {
    User u = user("revoked");
    SignIn s = signedIn.signIn(u, "one");
    var second = portcullis.portcullis().sessions().createForHost(s.central().session(), "two.localhost",
        "127.0.0.1", "test").orElseThrow();
    SignIn other = signedIn.signIn(u, "one");
    assertThat(signedIn.get("one", s.cookie())).isEqualTo(200);
    assertThat(signedIn.get("two", second.cookieValue())).isEqualTo(200);

    Raw r = call("DELETE", "/v1/sessions/" + s.hostSession().publicId());

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getString("id")).isEqualTo(s.hostSession().publicId());
    assertNoSecrets(r, s);
    assertThat(signedIn.get("one", s.cookie())).isEqualTo(401);
    assertThat(signedIn.get("two", second.cookieValue())).as("same sign-in, other host").isEqualTo(401);
    assertThat(signedIn.get("one", other.cookie())).as("another sign-in of the same user").isEqualTo(200);
    assertThat(listFor(u).sessions()).extracting(j -> j.getString("id"))
        .containsExactlyInAnyOrder(other.hostSession().publicId(), other.central().session().publicId());
  }

  @Test
  void revoke_unknownId_is404() throws Exception {
    Raw r = call("DELETE", "/v1/sessions/0123456789abcdef01234567");

    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().getJsonObject("error").getString("status")).isEqualTo("NOT_FOUND");
  }
}
