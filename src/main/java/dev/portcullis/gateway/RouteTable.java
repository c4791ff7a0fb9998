package dev.portcullis.gateway;

import dev.portcullis.config.Settings;
import dev.portcullis.service.Service;
import dev.portcullis.service.ServiceCatalog;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.util.HashMap;
import java.util.Map;

/** Host name to route, immutable; rebuilt whole when the catalog changes and swapped in one step. */
final class RouteTable {
  static final RouteTable EMPTY = new RouteTable(Map.of(), Map.of());

  private final Map<String, Route> byHost;
  private final Map<String, Route> byService;

  private RouteTable(Map<String, Route> byHost, Map<String, Route> byService) {
    this.byHost = byHost;
    this.byService = byService;
  }

  Route lookup(String normalizedHost) {
    return byHost.get(normalizedHost);
  }

  /** Builds a table for the catalog, keeping the routes of services that did not change. */
  RouteTable next(ServiceCatalog catalog, Settings settings, Vertx vertx, HttpClient client, GatewayMetrics metrics) {
    Map<String, Route> services = new HashMap<>();
    Map<String, Route> hosts = new HashMap<>();
    for (Service s : catalog.all()) {
      Route old = byService.get(s.name());
      Route route = old != null && old.service.equals(s) ? old : new Route(s, settings, vertx, client, metrics);
      services.put(s.name(), route);
    }
    for (Route r : services.values()) {
      for (String h : r.service.hosts()) {
        hosts.put(h, r);
      }
    }
    // A service's own NAME.DOMAIN wins over anything else, as in the catalog.
    for (Route r : services.values()) {
      hosts.put(catalog.primaryHost(r.name()), r);
    }
    return new RouteTable(Map.copyOf(hosts), Map.copyOf(services));
  }
}
