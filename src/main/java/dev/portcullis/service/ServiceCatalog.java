package dev.portcullis.service;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An immutable view of all services, indexed by every host name they answer on. */
public final class ServiceCatalog {
  private final String domain;
  private final Map<String, Service> byName;
  private final Map<String, Service> byHost;

  public ServiceCatalog(String domain, Collection<Service> services) {
    this.domain = domain;
    Map<String, Service> names = new HashMap<>();
    Map<String, Service> hosts = new HashMap<>();
    for (Service s : services) {
      names.put(s.name(), s);
      hosts.put(primaryHost(s.name()), s);
      for (String h : s.hosts()) {
        hosts.putIfAbsent(h, s);
      }
    }
    this.byName = Map.copyOf(names);
    this.byHost = Map.copyOf(hosts);
  }

  public String primaryHost(String serviceName) {
    return serviceName + "." + domain;
  }

  public Optional<Service> byHost(String normalizedHost) {
    return Optional.ofNullable(byHost.get(normalizedHost));
  }

  public Optional<Service> byName(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public List<Service> all() {
    return byName.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList();
  }

  /** Which other service already answers on this host, if any. */
  public Optional<Service> hostOwner(String host, String exceptService) {
    return byHost(host).filter(s -> !s.name().equals(exceptService));
  }
}
