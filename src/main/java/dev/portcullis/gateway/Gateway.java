package dev.portcullis.gateway;

import dev.portcullis.config.IpRange;
import dev.portcullis.config.Settings;
import dev.portcullis.assertion.UpstreamIdentity;
import dev.portcullis.authn.SignInHost;
import dev.portcullis.pages.ErrorPage;
import dev.portcullis.pages.Responses;
import dev.portcullis.session.SessionCookies;
import dev.portcullis.service.Ingress;
import dev.portcullis.service.ServiceCatalog;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.function.Consumer;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The front of the data plane, in order: request id, host and target checks, the published keys, the
 * sign-in host, route by host, ingress, the IAP gate (identity; CORS preflights pass it where the service
 * allows), header hygiene and forwarding headers, the signed assertion, then the service's proxy.
 * Everything a request needs is read from one immutable route table; nothing here waits on the store.
 * Refusals are written here, before the proxy, so that a refused WebSocket upgrade gets its real status
 * rather than a 502.
 */
public final class Gateway implements Handler<HttpServerRequest> {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Gateway.class);
  public static final String GENERATED_HEADER = Responses.GENERATED_HEADER;
  /** The metrics label for the sign-in host. */
  static final String SIGN_IN_SERVICE = "_signin";
  /** The metrics label for the console host. */
  static final String CONSOLE_SERVICE = "_console";

  private final Settings settings;
  private final Vertx vertx;
  private final HttpClient client;
  private final GatewayMetrics metrics;
  private final ClientAddress clientAddress;
  private final SignInHost signInHost;
  private final IapGate gate;
  private final UpstreamIdentity identity;
  private final LiveConnections live;
  private final JwksEndpoint jwks;
  private final AtomicReference<RouteTable> routes = new AtomicReference<>(RouteTable.EMPTY);
  /** The console, once it is wired (it needs the admin API, which starts after the gateway). */
  private volatile OwnHost console;

  public Gateway(Settings settings, Vertx vertx, HttpClient client, GatewayMetrics metrics, SignInHost signInHost,
      IapGate gate, UpstreamIdentity identity, LiveConnections live) {
    this.identity = identity;
    this.live = live;
    this.jwks = new JwksEndpoint(identity::jwks);
    this.settings = settings;
    this.signInHost = signInHost;
    this.gate = gate;
    this.vertx = vertx;
    this.client = client;
    this.metrics = metrics;
    this.clientAddress = new ClientAddress(settings.trustedProxies());
  }

  /** Serves the console on {@code settings.consoleHost()} from now on. */
  public void serveConsole(OwnHost handler) {
    this.console = handler;
  }

  /** Swaps in routes for a new catalog; requests that start after this returns use them. */
  public synchronized void update(ServiceCatalog catalog) {
    routes.set(routes.get().next(catalog, settings, vertx, client, metrics));
  }

  @Override
  public void handle(HttpServerRequest request) {
    long startNanos = System.nanoTime();
    HttpServerResponse response = request.response();
    String peer = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    boolean trustedPeer = clientAddress.trusted(peer);
    String inboundId = request.getHeader("x-request-id");
    String requestId = trustedPeer && RequestIds.acceptable(inboundId) ? inboundId : RequestIds.next();
    response.putHeader("x-request-id", requestId);

    RequestTarget.Result target = RequestTarget.of(request);
    if (!target.ok()) {
      refuse(request, GatewayMetrics.NO_SERVICE, new ErrorPage(400, "Bad request",
          "The request could not be routed: " + target.problem() + ".", null, requestId));
      return;
    }
    String client = clientAddress.resolve(peer, request.headers().getAll("x-forwarded-for"));
    Exchange exchange = new Exchange(requestId, target.host(),
        request.authority() == null ? -1 : request.authority().port(), client, secure(request, trustedPeer),
        startNanos);
    if (JwksEndpoint.matches(request.path(), target.host().equals(settings.authHost()))) {
      jwks.serve(request);
      return;
    }
    if (target.host().equals(settings.authHost())) {
      response.endHandler(v -> metrics.request(SIGN_IN_SERVICE, response.getStatusCode()));
      signInHost.handle(request, target.host(), requestId, client, exchange.secure());
      return;
    }
    OwnHost ownHost = console;
    if (ownHost != null && target.host().equals(settings.consoleHost())) {
      response.endHandler(v -> metrics.request(CONSOLE_SERVICE, response.getStatusCode()));
      if (!gate.ownHostSignIn(request, exchange)) {
        ownHost.handle(request, exchange);
      }
      return;
    }
    Route route = routes.get().lookup(target.host());
    if (route == null) {
      refuse(request, GatewayMetrics.NO_SERVICE, new ErrorPage(404, "No such service",
          "No service answers on " + target.host() + ". Check the address, or register a service for it.",
          null, requestId));
      return;
    }
    String service = route.name();
    response.endHandler(v -> route.requests.count(response.getStatusCode()));

    if (route.service.ingress() == Ingress.INTERNAL && !internal(client)) {
      refuse(request, null, new ErrorPage(403, "Internal traffic only",
          "This service accepts requests only from internal networks.", service, requestId));
      return;
    }
    if (route.service.iap() && route.service.allowHttpOptions() && Preflight.is(request)) {
      forward(request, route, target.originForm(), false, trustedPeer, peer, requestId, null, null, null, false);
      return;
    }
    if (route.service.iap()) {
      // The gate pauses the request while it looks the session up; the forwarder resumes it.
      gate.handle(request, exchange, route.service, (r, caller) -> forward(r, route, target.originForm(), true,
          trustedPeer, peer, requestId, headers -> identity.apply(headers, route.service,
              caller == null ? null : caller.identity(), caller == null ? null : caller.assertionKey()),
          exchange, caller, true));
      return;
    }
    // Watched too, so that switching IAP on closes what was opened without it.
    forward(request, route, target.originForm(), false, trustedPeer, peer, requestId, null, exchange, null, false);
  }

  /**
   * Header hygiene, forwarding headers, the caller's identity (IAP services only: after hygiene, so that
   * only Portcullis's own copies reach the upstream), then the service's route streams the exchange. A
   * WebSocket or streamed response is watched when {@code exchange} is given, held by {@code caller} (null:
   * anonymous), {@code gated} when the IAP gate let it through.
   */
  private void forward(HttpServerRequest request, Route route, String originForm, boolean paused, boolean trustedPeer,
      String peer, String requestId, Consumer<MultiMap> identify, Exchange exchange, Caller caller, boolean gated) {
    MultiMap headers = request.headers();
    HeaderHygiene.stripInbound(headers, trustedPeer);
    SessionCookies.stripFromRequest(headers);
    setForwardingHeaders(request, headers, trustedPeer, peer, requestId);
    if (identify != null) {
      try {
        identify.accept(headers);
      } catch (RuntimeException e) {
        // Without its assertion the request must not go on: the app would see no identity, or a stale one.
        log.error("the identity headers for {} could not be made; refusing request {}", route.name(), requestId, e);
        request.resume();
        refuse(request, null, new ErrorPage(503, "Identity unavailable", "Your identity could not be vouched "
            + "for to this service just now. Try again in a moment.", route.name(), requestId));
        return;
      }
    }
    route.handle(request, originForm, paused, exchange == null ? null : new LiveConnections.Watch(live, exchange,
        caller, gated));
  }

  /** HTTPS as the client connected: directly, or as a trusted proxy's X-Forwarded-Proto says. */
  private static boolean secure(HttpServerRequest request, boolean trustedPeer) {
    if (request.isSSL()) {
      return true;
    }
    String proto = trustedPeer ? request.getHeader("x-forwarded-proto") : null;
    return proto != null && proto.trim().toLowerCase(java.util.Locale.ROOT).startsWith("https");
  }

  private void setForwardingHeaders(HttpServerRequest request, MultiMap headers, boolean trustedPeer, String peer,
      String requestId) {
    List<String> priorFor = trustedPeer ? headers.getAll("x-forwarded-for") : List.of();
    headers.set("x-forwarded-for", priorFor.isEmpty() ? peer : String.join(", ", priorFor) + ", " + peer);
    if (!trustedPeer || !headers.contains("x-forwarded-proto")) {
      headers.set("x-forwarded-proto", request.isSSL() ? "https" : "http");
    }
    if (!trustedPeer || !headers.contains("x-forwarded-host")) {
      headers.set("x-forwarded-host", request.authority() == null ? "" : request.authority().toString());
    }
    headers.set("x-request-id", requestId);
  }

  private boolean internal(String client) {
    Optional<byte[]> bytes = client == null ? Optional.empty() : IpRange.literal(client);
    return bytes.isPresent() && IpRange.anyContains(settings.internalNetworks(), bytes.get());
  }

  private void refuse(HttpServerRequest request, String metricService, ErrorPage page) {
    HttpServerResponse response = request.response();
    if (metricService != null) {
      response.endHandler(v -> metrics.request(metricService, response.getStatusCode()));
    }
    ErrorPage.Rendered rendered = page.render(request.getHeader("accept"));
    response.setStatusCode(page.status())
        .putHeader("content-type", rendered.contentType())
        .putHeader("cache-control", "no-store")
        .putHeader(GENERATED_HEADER, "true");
    if (page.status() == 400) {
      response.putHeader("connection", "close");
    }
    response.end(rendered.body());
  }
}
