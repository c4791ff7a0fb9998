package dev.portcullis.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

/**
 * A real OpenID Connect provider in-process (mock-oauth2-server on 127.0.0.1) whose signing key the
 * test holds: it can forge tokens the provider would sign, rotate the key the JWKS publishes, and count
 * how often that JWKS was fetched. It logs in without a form; {@link #authorize} follows its redirect
 * far enough to read the code.
 */
public final class TestIdp implements AutoCloseable {
  public static final String ISSUER_ID = "default";

  private final Keys keys;
  private final MockOAuth2Server server;
  private final HttpClient http = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private TestIdp(Keys keys, MockOAuth2Server server) {
    this.keys = keys;
    this.server = server;
  }

  public static TestIdp start() {
    Keys keys = new Keys(newKey("key-1"));
    var config = new OAuth2Config(false, null, null, false, new OAuth2TokenProvider(keys));
    var server = new MockOAuth2Server(config);
    try {
      server.start(InetAddress.getByName("127.0.0.1"), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    TestIdp idp = new TestIdp(keys, server);
    idp.warmUp();
    return idp;
  }

  /**
   * The provider's first answers load a lot of classes (Kotlin, Jackson, FreeMarker) and can take
   * seconds on a busy machine: get them out of the way with a patient client, so the code under test
   * can keep its real timeouts.
   */
  private void warmUp() {
    for (String path : List.of("/.well-known/openid-configuration", "/jwks")) {
      try {
        http.send(HttpRequest.newBuilder(URI.create(issuer() + path)).timeout(Duration.ofSeconds(60)).build(),
            HttpResponse.BodyHandlers.discarding());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * The issuer, http://localhost:PORT/default. mock-oauth2-server names its issuer after the Host it is
   * asked on, so its discovery document says exactly this when fetched at this address.
   */
  public URI issuer() {
    return URI.create(server.issuerUrl(ISSUER_ID).toString());
  }

  public int port() {
    return server.baseUrl().port();
  }

  /** The provider's current signing key, private part included. */
  public RSAKey signingKey() {
    return keys.current.get();
  }

  /** From now on the provider signs with, and its JWKS publishes only, this key. */
  public void rotateTo(RSAKey key) {
    keys.current.set(key);
  }

  /** How many times the JWKS was served (each signature by the provider also counts one). */
  public int keyLookups() {
    return keys.lookups.get();
  }

  /** The next token request gets an ID token for this subject with these extra claims. */
  public void nextUser(String subject, Map<String, Object> claims) {
    server.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, subject, "JWT", null, claims, 3600));
  }

  /** An ID token the provider signs now, for this subject and audience with these extra claims, valid 1 hour. */
  public String idToken(String subject, String audience, Map<String, Object> claims) {
    return server.issueToken(ISSUER_ID, subject, audience, claims, 3600).serialize();
  }

  /** A fresh 2048-bit RSA signing key with this kid. */
  public static RSAKey newKey(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Sends the browser's GET to the authorization URL (the provider signs the user in at once) and
   * returns where it redirects to: the callback with {@code code} and {@code state}.
   */
  public URI authorize(URI authorizationUrl) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(authorizationUrl).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 302) {
        throw new IllegalStateException("authorization answered " + response.statusCode() + ": " + response.body());
      }
      return URI.create(response.headers().firstValue("Location").orElseThrow());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** One query parameter of a URI, decoded. */
  public static Optional<String> queryParam(URI uri, String name) {
    String query = uri.getRawQuery();
    if (query == null) {
      return Optional.empty();
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      if (key.equals(name)) {
        return Optional.of(eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    server.shutdown();
  }

  /** The provider's key store: one current key, swappable, with a count of lookups. */
  private static final class Keys extends KeyProvider {
    final AtomicReference<RSAKey> current;
    final AtomicInteger lookups = new AtomicInteger();

    Keys(RSAKey initial) {
      super(List.<JWK>of(), JWSAlgorithm.RS256.getName());
      current = new AtomicReference<>(initial);
    }

    @Override
    public JWK signingKey(String keyId) {
      lookups.incrementAndGet();
      return current.get();
    }
  }
}
