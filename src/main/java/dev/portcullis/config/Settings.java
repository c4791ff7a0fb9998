package dev.portcullis.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The static settings of one Portcullis process, validated and sealed before anything starts.
 * Everything that changes at run time (services, policies) lives in the store instead.
 */
public record Settings(
    Listen listen,
    Listen adminListen,
    String domain,
    Path dataDir,
    Optional<String> storeUrl,
    Duration storeMaxStaleness,
    Optional<Path> tlsCertFile,
    Optional<Path> tlsKeyFile,
    List<IpRange> trustedProxies,
    List<IpRange> internalNetworks,
    Duration shutdownTimeout,
    Duration connectTimeout,
    Duration responseTimeout,
    Duration idleTimeout,
    int upstreamMaxConnections,
    boolean demoEnabled,
    String authHost,
    Duration sessionMaxLifetime,
    Duration sessionIdleTimeout,
    boolean localAccountsEnabled,
    String adminEmail,
    List<OidcSettings> oidcProviders,
    Optional<String> adminUrl,
    List<TrustedIssuerSettings> trustedIssuers,
    AssertionSettings assertion,
    Duration liveRecheckInterval,
    AuditSettings audit) {

  public boolean tls() {
    return tlsCertFile.isPresent();
  }

  /** The web console's host: {@code console.DOMAIN} (no service may be named "console"). */
  public String consoleHost() {
    return "console." + domain;
  }

  public String scheme() {
    return tls() ? "https" : "http";
  }

}
