package dev.portcullis.authn.oidc;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The configured providers, each discovered on first use and then kept. A provider that cannot be
 * reached at start does not stop Portcullis: its sign-in fails with a clear page and is tried again on
 * the next attempt.
 */
public final class OidcProviders {
  private final List<OidcProviderConfig> configs;
  private final Function<OidcProviderConfig, OidcProvider> discovery;
  private final Map<String, OidcProvider> discovered = new ConcurrentHashMap<>();

  public OidcProviders(List<OidcProviderConfig> configs, Function<OidcProviderConfig, OidcProvider> discovery) {
    this.configs = List.copyOf(configs);
    this.discovery = discovery;
  }

  public static OidcProviders discovering(List<OidcProviderConfig> configs) {
    return new OidcProviders(configs, c -> {
      try {
        return OidcProvider.discover(c);
      } catch (OidcDiscoveryException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    });
  }

  public List<OidcProviderConfig> configs() {
    return configs;
  }

  public boolean isEmpty() {
    return configs.isEmpty();
  }

  /** The provider, discovering it now if needed. Blocking; throws IllegalStateException when unreachable. */
  public Optional<OidcProvider> get(String id) {
    Optional<OidcProviderConfig> config = configs.stream().filter(c -> c.id().equals(id)).findFirst();
    return config.map(c -> discovered.computeIfAbsent(id, k -> discovery.apply(c)));
  }
}
