package dev.portcullis.authn.oidc;

import static dev.portcullis.testing.TestIdp.queryParam;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.sun.net.httpserver.HttpServer;
import dev.portcullis.testing.TestIdp;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The whole code flow against a real provider in-process: discovery, authorization, token exchange. */
class OidcProviderTest {
  private static final URI CALLBACK = URI.create("http://auth.portcullis.localhost:8080/_portcullis/oidc/callback");
  private static final String CLIENT_ID = "portcullis";

  private static TestIdp idp;

  @BeforeAll
  static void startIdp() {
    idp = TestIdp.start();
  }

  @AfterAll
  static void stopIdp() {
    idp.close();
  }

  private static OidcProviderConfig config() {
    return OidcProviderConfig.of("test", "Test IdP", idp.issuer(), CLIENT_ID, Secret.of("s3cret-value"));
  }

  private static OidcProvider discover(OidcProviderConfig config) throws Exception {
    return OidcProvider.discover(config);
  }

  /** Runs the browser's part: authorization request, provider's redirect; returns the callback's code. */
  private static String authorize(AuthorizationStart start) {
    URI callback = idp.authorize(start.authorizationUrl());
    assertThat(callback.getScheme() + "://" + callback.getAuthority() + callback.getPath())
        .isEqualTo(CALLBACK.toString());
    assertThat(queryParam(callback, "state")).contains(start.state());
    return queryParam(callback, "code").orElseThrow();
  }

  @Test
  void signIn_fullFlowYieldsVerifiedIdentity() throws Exception {
    OidcProvider provider = discover(config());
    idp.nextUser("user-42", Map.of("email", "Alice@Example.com", "email_verified", true, "name", "Alice"));

    AuthorizationStart start = provider.begin(CALLBACK);
    String code = authorize(start);
    ExternalIdentity identity = provider.complete(code, CALLBACK, start.codeVerifier(), start.nonce());

    assertThat(identity.providerId()).isEqualTo("test");
    assertThat(identity.subject()).isEqualTo("user-42");
    assertThat(identity.email()).isEqualTo("alice@example.com");
    assertThat(identity.name()).contains("Alice");
    assertThat(identity.hostedDomain()).isEmpty();
    assertThat(identity.idToken()).isNotBlank();
    assertThat(identity.toString()).doesNotContain(identity.idToken());
  }

  @Test
  void begin_authorizationUrlCarriesCodeFlowStateNonceAndS256Challenge() throws Exception {
    OidcProvider provider = discover(config().withLoginHint("alice@example.com"));
    AuthorizationStart start = provider.begin(CALLBACK);
    URI url = start.authorizationUrl();

    assertThat(url.toString()).startsWith(idp.issuer() + "/authorize?");
    assertThat(queryParam(url, "response_type")).contains("code");
    assertThat(queryParam(url, "client_id")).contains(CLIENT_ID);
    assertThat(queryParam(url, "redirect_uri")).contains(CALLBACK.toString());
    assertThat(queryParam(url, "scope")).contains("openid email profile");
    assertThat(queryParam(url, "state")).contains(start.state());
    assertThat(queryParam(url, "nonce")).contains(start.nonce());
    assertThat(queryParam(url, "login_hint")).contains("alice@example.com");
    assertThat(queryParam(url, "code_challenge_method")).contains("S256");
    byte[] digest = MessageDigest.getInstance("SHA-256")
        .digest(start.codeVerifier().getBytes(StandardCharsets.US_ASCII));
    assertThat(queryParam(url, "code_challenge"))
        .contains(Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
    assertThat(url.toString()).doesNotContain(start.codeVerifier());

    AuthorizationStart other = provider.begin(CALLBACK);
    assertThat(other.state()).isNotEqualTo(start.state());
    assertThat(other.nonce()).isNotEqualTo(start.nonce());
    assertThat(other.codeVerifier()).isNotEqualTo(start.codeVerifier());
    assertThat(start.state().length()).isGreaterThanOrEqualTo(32);
    assertThat(start.toString()).doesNotContain(start.state()).doesNotContain(start.codeVerifier());
  }

  @Test
  void complete_refusesWrongPkceVerifier() throws Exception {
    OidcProvider provider = discover(config());
    idp.nextUser("user-42", Map.of("email", "alice@example.com", "email_verified", true));
    AuthorizationStart start = provider.begin(CALLBACK);
    assertThat(queryParam(start.authorizationUrl(), "code_challenge")).isPresent();
    String code = authorize(start);

    String attackerVerifier = new CodeVerifier().getValue();
    assertThatThrownBy(() -> provider.complete(code, CALLBACK, attackerVerifier, start.nonce()))
        .isInstanceOfSatisfying(SignInException.class,
            e -> assertThat(e.reason()).isEqualTo(SignInException.Reason.TOKEN_EXCHANGE_FAILED))
        .hasMessageNotContaining(code);
  }

  @Test
  void complete_refusesNonceOfAnotherSignIn() throws Exception {
    OidcProvider provider = discover(config());
    idp.nextUser("user-42", Map.of("email", "alice@example.com", "email_verified", true));
    AuthorizationStart start = provider.begin(CALLBACK);
    String code = authorize(start);
    String otherNonce = provider.begin(CALLBACK).nonce();

    assertThatThrownBy(() -> provider.complete(code, CALLBACK, start.codeVerifier(), otherNonce))
        .isInstanceOfSatisfying(SignInException.class,
            e -> assertThat(e.reason()).isEqualTo(SignInException.Reason.NONCE_MISMATCH));
  }

  @Test
  void complete_refusesUnverifiedEmail() throws Exception {
    OidcProvider provider = discover(config());
    idp.nextUser("user-42", Map.of("email", "alice@example.com", "email_verified", false));
    AuthorizationStart start = provider.begin(CALLBACK);
    String code = authorize(start);

    assertThatThrownBy(() -> provider.complete(code, CALLBACK, start.codeVerifier(), start.nonce()))
        .isInstanceOfSatisfying(SignInException.class,
            e -> assertThat(e.reason()).isEqualTo(SignInException.Reason.UNVERIFIED_EMAIL));
  }

  @Test
  void complete_refusesDomainOutsideAllowedList() throws Exception {
    OidcProvider provider = discover(config().withAllowedDomains(List.of("example.com")));
    idp.nextUser("user-42", Map.of("email", "mallory@evil-example.com", "email_verified", true));
    AuthorizationStart start = provider.begin(CALLBACK);
    String code = authorize(start);

    assertThatThrownBy(() -> provider.complete(code, CALLBACK, start.codeVerifier(), start.nonce()))
        .isInstanceOfSatisfying(SignInException.class,
            e -> assertThat(e.reason()).isEqualTo(SignInException.Reason.DOMAIN_NOT_ALLOWED));
  }

  @Test
  void complete_acceptsDomainInAllowedList() throws Exception {
    OidcProvider provider = discover(config().withAllowedDomains(List.of("example.com")));
    idp.nextUser("user-42", Map.of("email", "alice@example.com", "email_verified", true));
    AuthorizationStart start = provider.begin(CALLBACK);
    String code = authorize(start);

    assertThat(provider.complete(code, CALLBACK, start.codeVerifier(), start.nonce()).email())
        .isEqualTo("alice@example.com");
  }

  @Test
  void discover_refusesDocumentNamingAnotherIssuer() throws Exception {
    // A server at another origin hands out the real provider's discovery document (a mix-up): the
    // document names http://localhost:PORT/default, the configured issuer is this other origin.
    HttpResponse<byte[]> real = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(idp.issuer() + "/.well-known/openid-configuration")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    HttpServer impostor = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    impostor.createContext("/", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, real.body().length);
      exchange.getResponseBody().write(real.body());
      exchange.close();
    });
    impostor.start();
    try {
      URI configured = URI.create("http://127.0.0.1:" + impostor.getAddress().getPort() + "/default");
      OidcProviderConfig config = OidcProviderConfig.of("test", "Test", configured, CLIENT_ID, Secret.of("x"));

      assertThatThrownBy(() -> OidcProvider.discover(config))
          .isInstanceOf(OidcDiscoveryException.class)
          .hasMessageContaining("'" + idp.issuer() + "'")
          .hasMessageContaining("'" + configured + "'")
          .hasMessageContaining("must be identical");
    } finally {
      impostor.stop(0);
    }
  }

  @Test
  void discover_refusesIssuerDifferingByTrailingSlash() {
    URI withSlash = URI.create(idp.issuer() + "/");
    OidcProviderConfig config = OidcProviderConfig.of("test", "Test", withSlash, CLIENT_ID, Secret.of("x"));

    assertThatThrownBy(() -> OidcProvider.discover(config))
        .isInstanceOf(OidcDiscoveryException.class)
        .hasMessageContaining("must be identical");
  }

  @Test
  void logoutUrl_carriesIdTokenHintClientIdAndPostLogoutRedirect() throws Exception {
    OidcProvider provider = discover(config());
    idp.nextUser("user-42", Map.of("email", "alice@example.com", "email_verified", true));
    AuthorizationStart start = provider.begin(CALLBACK);
    ExternalIdentity identity = provider.complete(authorize(start), CALLBACK, start.codeVerifier(), start.nonce());
    URI signedOut = URI.create("http://auth.portcullis.localhost:8080/_portcullis/signed_out");

    assertThat(provider.endSessionEndpoint()).isPresent();
    URI logout = provider.logoutUrl(identity.idToken(), signedOut);

    URI endpoint = provider.endSessionEndpoint().orElseThrow();
    assertThat(logout.toString()).startsWith(endpoint + "?");
    assertThat(queryParam(logout, "id_token_hint")).contains(identity.idToken());
    assertThat(queryParam(logout, "client_id")).contains(CLIENT_ID);
    assertThat(queryParam(logout, "post_logout_redirect_uri")).contains(signedOut.toString());
  }
}
