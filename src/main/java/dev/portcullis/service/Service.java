package dev.portcullis.service;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A registered upstream app. Reached at {@code name.domain} and at each of {@code hosts}.
 * {@code version} is bumped by every write and is the service's etag. {@code reauthMaxAge}, when set,
 * makes callers sign in again once their sign-in is older than that (IAP's reauth_settings.max_age).
 * {@code allowHttpOptions} lets CORS preflight requests through without a session (IAP's
 * cors_settings.allow_http_options).
 */
public record Service(
    String name,
    String project,
    URI upstream,
    List<String> hosts,
    boolean iap,
    Ingress ingress,
    Timeouts timeouts,
    Optional<Duration> reauthMaxAge,
    AccessDenied accessDenied,
    AssertionOptions assertion,
    boolean allowHttpOptions,
    long version,
    Instant createTime,
    Instant updateTime) {

  public static final String DEFAULT_PROJECT = "default";

  public Service {
    hosts = List.copyOf(hosts);
  }

  public String etag() {
    return Etags.of(version);
  }

  /** The IAM resource name of this service. */
  public String resourceName() {
    return "projects/" + project + "/services/" + name;
  }

  public Service withVersion(long v, Instant created, Instant updated) {
    return new Service(name, project, upstream, hosts, iap, ingress, timeouts, reauthMaxAge, accessDenied, assertion, allowHttpOptions, v,
        created, updated);
  }

  public Service withUpstream(URI u) {
    return new Service(name, project, u, hosts, iap, ingress, timeouts, reauthMaxAge, accessDenied, assertion, allowHttpOptions,
        version, createTime, updateTime);
  }
}
