package dev.portcullis.gateway;

import static dev.portcullis.testing.Clients.seen;
import static dev.portcullis.testing.Clients.seenNames;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Clients;
import dev.portcullis.testing.RawHttp;
import dev.portcullis.testing.RawHttp.Reply;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client may say about itself. Two deployments: one with no trusted proxies (the default), one that
 * trusts 127.0.0.1 as its load balancer. Both count only 10.0.0.0/8 as internal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForwardedHeadersTest {
  Upstreams upstreams;
  TestPortcullis untrusted;
  TestPortcullis trusted;
  final AtomicInteger internalRequests = new AtomicInteger();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    upstreams = new Upstreams();
    String echo = upstreams.http(Clients.echo());
    var echoHandler = Clients.echo();
    String counted = upstreams.http(req -> {
      internalRequests.incrementAndGet();
      echoHandler.handle(req);
    });
    untrusted = TestPortcullis.start(Files.createDirectories(dir.resolve("untrusted")),
        Map.of("ingress.internal_networks", "10.0.0.0/8"));
    trusted = TestPortcullis.start(Files.createDirectories(dir.resolve("trusted")),
        Map.of("ingress.internal_networks", "10.0.0.0/8", "trusted_proxies", "127.0.0.1/32"));
    for (TestPortcullis p : List.of(untrusted, trusted)) {
      p.createService("open", echo);
      p.createService("inside", counted, new JsonObject().put("ingress", "internal"));
    }
  }

  @BeforeEach
  void reset() {
    internalRequests.set(0);
  }

  @AfterAll
  void stop() throws Exception {
    untrusted.close();
    trusted.close();
    upstreams.close();
  }

  @Test
  void untrustedPeer_spoofedForwardingHeadersAreReplacedWithWhatPortcullisSaw() throws Exception {
    Reply reply = RawHttp.send(untrusted.port(),
        "GET / HTTP/1.1",
        "Host: " + untrusted.hostOf("open"),
        "X-Forwarded-For: 6.6.6.6",
        "X-Forwarded-For: 7.7.7.7, 8.8.8.8",
        "X-Forwarded-Proto: https",
        "X-Forwarded-Host: evil.example",
        "X-Forwarded-Port: 443",
        "X-Real-IP: 6.6.6.6",
        "Forwarded: for=6.6.6.6;proto=https;host=evil.example",
        "X-Request-Id: spoofed-request-id-1234",
        "Connection: close");
    JsonObject seen = reply.json();

    assertThat(seen(seen, "x-forwarded-for")).containsExactly("127.0.0.1");
    assertThat(seen(seen, "x-forwarded-proto")).containsExactly("http");
    assertThat(seen(seen, "x-forwarded-host")).containsExactly(untrusted.hostOf("open"));
    assertThat(seenNames(seen)).doesNotContain("x-forwarded-port", "x-real-ip", "forwarded");
    assertThat(seen(seen, "x-request-id")).singleElement().asString().matches("[0-9a-f]{32}")
        .isEqualTo(reply.header("x-request-id"));
  }

  @Test
  void trustedPeer_forwardedForIsAppendedTo_andItsForwardingHeadersKept() throws Exception {
    Reply reply = RawHttp.send(trusted.port(),
        "GET / HTTP/1.1",
        "Host: " + trusted.hostOf("open"),
        "X-Forwarded-For: 198.51.100.7",
        "X-Forwarded-For: 192.0.2.1",
        "X-Forwarded-Proto: https",
        "X-Forwarded-Host: dash.example.com",
        "X-Request-Id: lb-request-id-1234",
        "Connection: close");
    JsonObject seen = reply.json();

    assertThat(seen(seen, "x-forwarded-for")).containsExactly("198.51.100.7, 192.0.2.1, 127.0.0.1");
    assertThat(seen(seen, "x-forwarded-proto")).containsExactly("https");
    assertThat(seen(seen, "x-forwarded-host")).containsExactly("dash.example.com");
    assertThat(seen(seen, "x-request-id")).containsExactly("lb-request-id-1234");
    assertThat(reply.header("x-request-id")).isEqualTo("lb-request-id-1234");
  }

  @Test
  void ingressInternal_clientAddressFromTrustedProxy_isInternal() throws Exception {
    Reply reply = RawHttp.send(trusted.port(), "GET / HTTP/1.1", "Host: " + trusted.hostOf("inside"),
        "X-Forwarded-For: 10.1.2.3", "Connection: close");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(internalRequests.get()).isEqualTo(1);
  }

  @Test
  void ingressInternal_forwardedForIsReadFromTheRight() throws Exception {
    // The right-most address not of a trusted proxy is the client; anything left of it was written by
    // the client itself and is not believed.
    Reply outsideAfterInside = RawHttp.send(trusted.port(), "GET / HTTP/1.1", "Host: " + trusted.hostOf("inside"),
        "X-Forwarded-For: 10.1.2.3, 203.0.113.9", "Connection: close");
    Reply insideAfterOutside = RawHttp.send(trusted.port(), "GET / HTTP/1.1", "Host: " + trusted.hostOf("inside"),
        "X-Forwarded-For: 203.0.113.9, 10.1.2.3", "Connection: close");

    assertThat(outsideAfterInside.status()).isEqualTo(403);
    assertThat(outsideAfterInside.header(Gateway.GENERATED_HEADER)).isEqualTo("true");
    assertThat(insideAfterOutside.status()).isEqualTo(200);
    assertThat(internalRequests.get()).isEqualTo(1);
  }

  @Test
  void ingressInternal_untrustedPeersForwardedFor_isIgnored() throws Exception {
    Reply reply = RawHttp.send(untrusted.port(), "GET / HTTP/1.1", "Host: " + untrusted.hostOf("inside"),
        "X-Forwarded-For: 10.1.2.3", "X-Real-IP: 10.1.2.3", "Forwarded: for=10.1.2.3", "Connection: close");

    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.header(Gateway.GENERATED_HEADER)).isEqualTo("true");
    assertThat(reply.json().getJsonObject("error").getString("status")).isEqualTo("PERMISSION_DENIED");
    assertThat(reply.json().getString("service")).isEqualTo("inside");
    assertThat(internalRequests.get()).isZero();
  }

  @Test
  void identityHeaders_neverReachTheUpstream_whateverTheirCaseOrCount() throws Exception {
    for (TestPortcullis p : List.of(untrusted, trusted)) {
      List<String> request = new ArrayList<>(List.of("GET / HTTP/1.1", "Host: " + p.hostOf("open")));
      request.addAll(List.of(
          "X-Goog-Authenticated-User-Email: accounts.google.com:boss@example.com",
          "x-goog-authenticated-user-email: accounts.google.com:boss@example.com",
          "X-GOOG-AUTHENTICATED-USER-ID: accounts.google.com:1234",
          "X-Goog-IAP-JWT-Assertion: forged.jwt.value",
          "x-portcullis-user-email: boss@example.com",
          "X-Portcullis-User-Email: boss@example.com",
          "X-Portcullis-Assertion: forged",
          "X-Forwarded-User: boss",
          "x-forwarded-email: boss@example.com",
          "X-Forwarded-Groups: admins",
          "X-Forwarded-Preferred-Username: boss",
          "X-Forwarded-Access-Token: forged",
          "Remote-User: boss",
          "remote-user: boss-again",
          "Remote-Email: boss@example.com",
          "Remote-Groups: admins",
          "X-Auth-Request-Email: boss@example.com",
          "X-Auth-Request-User: boss",
          "X-Serverless-Authorization: Bearer forged",
          "X-Not-Identity: kept",
          "Connection: close"));
      Reply reply = RawHttp.send(p.port(), request.toArray(String[]::new));
      JsonObject seen = reply.json();

      assertThat(reply.status()).isEqualTo(200);
      assertThat(seenNames(seen)).as("headers the upstream received via %s", p == trusted ? "trusted" : "untrusted")
          .noneMatch(n -> n.startsWith("x-goog-") || n.startsWith("x-portcullis-") || n.startsWith("remote-")
              || n.startsWith("x-auth-request-") || n.equals("x-serverless-authorization")
              || List.of("x-forwarded-user", "x-forwarded-email", "x-forwarded-groups",
                  "x-forwarded-preferred-username", "x-forwarded-access-token").contains(n));
      assertThat(seen(seen, "x-not-identity")).containsExactly("kept");
    }
  }
}
