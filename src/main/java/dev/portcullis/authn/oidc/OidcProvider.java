package dev.portcullis.authn.oidc;

import static dev.portcullis.authn.oidc.SignInException.Reason.TOKEN_EXCHANGE_FAILED;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.LogoutRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderConfigurationRequest;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OpenID Connect provider, found by discovery: starts the authorization code flow (PKCE S256,
 * state, nonce) and completes it (token exchange, then {@link IdTokenVerifier} and
 * {@link IdentityClaims}). Thread-safe; {@link #discover} and {@link #complete} block on the network.
 */
public final class OidcProvider {
  private static final Logger log = LoggerFactory.getLogger(OidcProvider.class);

  private static final int HTTP_TIMEOUT_MS = 5_000;
  private static final Pattern ERROR_CODE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private final OidcProviderConfig config;
  private final ClientID clientId;
  private final URI authorizationEndpoint;
  private final URI tokenEndpoint;
  private final Optional<URI> endSessionEndpoint;
  private final ClientAuthenticationMethod tokenEndpointAuth;
  private final IdTokenVerifier verifier;

  private OidcProvider(OidcProviderConfig config, URI authorizationEndpoint, URI tokenEndpoint,
      Optional<URI> endSessionEndpoint, ClientAuthenticationMethod tokenEndpointAuth, IdTokenVerifier verifier) {
    this.config = config;
    this.clientId = new ClientID(config.clientId());
    this.authorizationEndpoint = authorizationEndpoint;
    this.tokenEndpoint = tokenEndpoint;
    this.endSessionEndpoint = endSessionEndpoint;
    this.tokenEndpointAuth = tokenEndpointAuth;
    this.verifier = verifier;
  }

  /** Discovers the provider with the system clock. Blocking. */
  public static OidcProvider discover(OidcProviderConfig config) throws OidcDiscoveryException {
    return discover(config, Clock.systemUTC());
  }

  /**
   * Fetches {@code ISSUER/.well-known/openid-configuration} and checks it: the issuer it names must be
   * the configured one character for character, the endpoints must be https (http only on loopback),
   * and it must offer the code flow, an asymmetric ID token algorithm and a client secret method we
   * speak. Blocking.
   */
  public static OidcProvider discover(OidcProviderConfig config, Clock clock) throws OidcDiscoveryException {
    Objects.requireNonNull(config);
    Objects.requireNonNull(clock);
    String where = "OIDC provider '" + config.id() + "'";
    OIDCProviderMetadata metadata = fetchMetadata(config.issuer(), where);
    String discovered = metadata.getIssuer().getValue();
    if (metadata.getResponseTypes() != null && !metadata.getResponseTypes().contains(ResponseType.CODE)) {
      throw new OidcDiscoveryException(where + ": the provider does not offer the authorization code flow");
    }
    URI authorization = requireEndpoint(where, "authorization_endpoint", metadata.getAuthorizationEndpointURI());
    URI token = requireEndpoint(where, "token_endpoint", metadata.getTokenEndpointURI());
    URI jwks = requireEndpoint(where, "jwks_uri", metadata.getJWKSetURI());
    Optional<URI> endSession = Optional.ofNullable(metadata.getEndSessionEndpointURI());
    if (endSession.isPresent()) {
      requireEndpoint(where, "end_session_endpoint", endSession.get());
    }

    Set<JWSAlgorithm> algorithms = new HashSet<>(IdTokenVerifier.ASYMMETRIC_ALGORITHMS);
    if (metadata.getIDTokenJWSAlgs() != null) {
      algorithms.retainAll(metadata.getIDTokenJWSAlgs());
    }
    if (algorithms.isEmpty()) {
      throw new OidcDiscoveryException(where + ": the provider signs ID tokens only with algorithms we refuse "
          + metadata.getIDTokenJWSAlgs() + "; allowed are RS*, PS* and ES*");
    }
    ClientAuthenticationMethod auth = chooseClientAuthentication(where, metadata.getTokenEndpointAuthMethods());

    IdTokenVerifier verifier;
    try {
      verifier = new IdTokenVerifier(discovered, config.clientId(), algorithms,
          IdTokenVerifier.remoteKeys(jwks.toURL()), clock);
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new OidcDiscoveryException(where + ": jwks_uri is not a usable URL: " + jwks, e);
    }
    log.info("{} discovered: issuer {}, client authentication {}, ID token algorithms {}",
        where, discovered, auth, verifier.algorithms());
    return new OidcProvider(config, authorization, token, endSession, auth, verifier);
  }

  /**
   * The JWKS address an issuer's discovery document gives, for checking its tokens without signing anyone
   * in (trusted issuers of workload tokens). Same checks as {@link #discover}: the issuer identical, the
   * address https (http only on loopback). Blocking.
   */
  public static URI discoverJwksUri(URI issuer, String where) throws OidcDiscoveryException {
    return requireEndpoint(where, "jwks_uri", fetchMetadata(issuer, where).getJWKSetURI());
  }

  /** The discovery document, whose issuer is the configured one character for character. */
  private static OIDCProviderMetadata fetchMetadata(URI issuer, String where) throws OidcDiscoveryException {
    OIDCProviderMetadata metadata = fetchDocument(issuer, where);
    String discovered = metadata.getIssuer() == null ? null : metadata.getIssuer().getValue();
    if (!issuer.toString().equals(discovered)) {
      throw new OidcDiscoveryException(where + ": the discovery document names the issuer '" + discovered
          + "' but the configured issuer is '" + issuer + "'; they must be identical");
    }
    return metadata;
  }

  private static OIDCProviderMetadata fetchDocument(URI issuer, String where) throws OidcDiscoveryException {
    HTTPRequest request = new OIDCProviderConfigurationRequest(new Issuer(issuer)).toHTTPRequest();
    configure(request);
    try {
      HTTPResponse response = request.send();
      if (response.getStatusCode() != HTTPResponse.SC_OK) {
        throw new OidcDiscoveryException(where + ": " + request.getURI() + " answered HTTP "
            + response.getStatusCode());
      }
      return OIDCProviderMetadata.parse(response.getBodyAsJSONObject());
    } catch (IOException e) {
      throw new OidcDiscoveryException(where + ": cannot fetch " + request.getURI() + ": " + e.getMessage(), e);
    } catch (ParseException e) {
      throw new OidcDiscoveryException(where + ": " + request.getURI() + " is not a valid discovery document: "
          + e.getMessage(), e);
    }
  }

  private static URI requireEndpoint(String where, String name, URI endpoint) throws OidcDiscoveryException {
    if (endpoint == null) {
      throw new OidcDiscoveryException(where + ": the discovery document has no " + name);
    }
    try {
      OidcProviderConfig.requireSecureTransport(endpoint, name);
    } catch (IllegalArgumentException e) {
      throw new OidcDiscoveryException(where + ": " + e.getMessage());
    }
    return endpoint;
  }

  private static ClientAuthenticationMethod chooseClientAuthentication(String where,
      List<ClientAuthenticationMethod> supported) throws OidcDiscoveryException {
    // OpenID Connect Discovery: when the list is absent, client_secret_basic is the default.
    if (supported == null || supported.isEmpty() || supported.contains(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)) {
      return ClientAuthenticationMethod.CLIENT_SECRET_BASIC;
    }
    if (supported.contains(ClientAuthenticationMethod.CLIENT_SECRET_POST)) {
      return ClientAuthenticationMethod.CLIENT_SECRET_POST;
    }
    throw new OidcDiscoveryException(where + ": the token endpoint accepts neither client_secret_basic nor "
        + "client_secret_post (it offers " + supported + ")");
  }

  public String id() {
    return config.id();
  }

  public OidcProviderConfig config() {
    return config;
  }

  /** The ID token checks of this provider, for callers and tests that hold a token already. */
  public IdTokenVerifier idTokenVerifier() {
    return verifier;
  }

  /**
   * Starts a sign-in: fresh random {@code state}, {@code nonce} and PKCE verifier, and the
   * authorization URL carrying the state, the nonce, the S256 challenge and the configured login hint.
   *
   * @param redirectUri our callback, exactly as registered at the provider
   */
  public AuthorizationStart begin(URI redirectUri) {
    Objects.requireNonNull(redirectUri, "redirectUri");
    State state = new State();
    Nonce nonce = new Nonce();
    CodeVerifier codeVerifier = new CodeVerifier();
    AuthenticationRequest.Builder request = new AuthenticationRequest.Builder(
        ResponseType.CODE, new Scope(config.scopes().toArray(String[]::new)), clientId, redirectUri)
        .endpointURI(authorizationEndpoint)
        .state(state)
        .nonce(nonce)
        .codeChallenge(codeVerifier, CodeChallengeMethod.S256);
    config.loginHint().ifPresent(request::loginHint);
    return new AuthorizationStart(request.build().toURI(), state.getValue(), nonce.getValue(),
        codeVerifier.getValue());
  }

  /**
   * Completes a sign-in: exchanges the code (with our client secret and the PKCE verifier), verifies
   * the ID token and turns it into an identity. The caller has already matched the callback's
   * {@code state} to the one kept for this browser. Blocking.
   *
   * @param code the {@code code} parameter of the callback
   * @param redirectUri the same redirect URI as given to {@link #begin}
   * @param codeVerifier the verifier kept from {@link #begin}
   * @param expectedNonce the nonce kept from {@link #begin}
   */
  public ExternalIdentity complete(String code, URI redirectUri, String codeVerifier, String expectedNonce)
      throws SignInException {
    Objects.requireNonNull(redirectUri, "redirectUri");
    String idToken = exchange(code, redirectUri, codeVerifier);
    JWTClaimsSet claims = verifier.verify(idToken, expectedNonce);
    return IdentityClaims.toIdentity(config.id(), claims, idToken, config.allowedDomains());
  }

  private String exchange(String code, URI redirectUri, String codeVerifier) throws SignInException {
    if (code == null || code.isBlank()) {
      throw new SignInException(TOKEN_EXCHANGE_FAILED, "The provider sent no authorization code.");
    }
    AuthorizationCodeGrant grant;
    try {
      grant = new AuthorizationCodeGrant(new AuthorizationCode(code), redirectUri, new CodeVerifier(codeVerifier));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new SignInException(TOKEN_EXCHANGE_FAILED, "The sign-in has no usable PKCE verifier.");
    }
    HTTPRequest request = new TokenRequest.Builder(tokenEndpoint, clientAuthentication(), grant).build()
        .toHTTPRequest();
    configure(request);

    TokenResponse response;
    try {
      response = OIDCTokenResponseParser.parse(request.send());
    } catch (IOException e) {
      throw new SignInException(TOKEN_EXCHANGE_FAILED, "The provider's token endpoint could not be reached.", e);
    } catch (ParseException e) {
      throw new SignInException(TOKEN_EXCHANGE_FAILED, "The provider's token response could not be read.");
    }
    if (!response.indicatesSuccess()) {
      ErrorObject error = response.toErrorResponse().getErrorObject();
      String errorCode = error == null || error.getCode() == null || !ERROR_CODE.matcher(error.getCode()).matches()
          ? "unknown" : error.getCode();
      throw new SignInException(TOKEN_EXCHANGE_FAILED, "The provider refused the authorization code ("
          + errorCode + ").");
    }
    if (!(response instanceof OIDCTokenResponse oidc) || oidc.getOIDCTokens().getIDTokenString() == null) {
      throw new SignInException(TOKEN_EXCHANGE_FAILED, "The provider's token response has no ID token.");
    }
    return oidc.getOIDCTokens().getIDTokenString();
  }

  private ClientAuthentication clientAuthentication() {
    var secret = new com.nimbusds.oauth2.sdk.auth.Secret(config.clientSecret().reveal());
    return tokenEndpointAuth.equals(ClientAuthenticationMethod.CLIENT_SECRET_POST)
        ? new ClientSecretPost(clientId, secret)
        : new ClientSecretBasic(clientId, secret);
  }

  /** The provider's RP-initiated logout endpoint, if its discovery document names one. */
  public Optional<URI> endSessionEndpoint() {
    return endSessionEndpoint;
  }

  /**
   * The URL that ends the session at the provider (OpenID Connect RP-Initiated Logout 1.0), with our
   * client id, the ID token as hint if we have it, and where the provider should send the browser
   * after (which must be registered there).
   *
   * @throws IllegalStateException if the provider has no end_session_endpoint
   */
  public URI logoutUrl(String idTokenHint, URI postLogoutRedirect) {
    URI endpoint = endSessionEndpoint.orElseThrow(() ->
        new IllegalStateException("OIDC provider '" + id() + "' has no end_session_endpoint"));
    JWT hint = null;
    if (idTokenHint != null) {
      try {
        hint = JWTParser.parse(idTokenHint);
      } catch (java.text.ParseException e) {
        throw new IllegalArgumentException("the ID token hint is not a JWT");
      }
    }
    return new LogoutRequest(endpoint, hint, null, clientId, postLogoutRedirect, null, null).toURI();
  }

  private static void configure(HTTPRequest request) {
    request.setConnectTimeout(HTTP_TIMEOUT_MS);
    request.setReadTimeout(HTTP_TIMEOUT_MS);
    request.setFollowRedirects(false);
  }

  @Override
  public String toString() {
    return "OidcProvider[" + config.id() + ", " + config.issuer() + "]";
  }
}
