package dev.portcullis.store;

import dev.portcullis.service.AccessDenied;
import dev.portcullis.service.AssertionOptions;
import dev.portcullis.service.Ingress;
import dev.portcullis.service.Service;
import dev.portcullis.service.Timeouts;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Services in the store. Every write is one transaction and checks the caller's etag when given. */
public final class ServiceRepository {
  private static final String COLUMNS = "name, project, upstream, iap, ingress, connect_timeout_ms, "
      + "response_timeout_ms, idle_timeout_ms, version, create_time, update_time, reauth_max_age_ms, access_denied_page_uri, "
      + "access_denied_message, assertion_audience, assertion_groups, iap_compatible, allow_http_options";

  private final Database db;
  private final Clock clock;

  public ServiceRepository(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public List<Service> list() {
    return db.inTransaction(c -> {
      Map<String, List<String>> hosts = new HashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT host, service FROM service_hosts ORDER BY host");
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          hosts.computeIfAbsent(rs.getString(2), k -> new ArrayList<>()).add(rs.getString(1));
        }
      }
      List<Service> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM services ORDER BY name");
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs, hosts.getOrDefault(rs.getString("name"), List.of())));
        }
      }
      return out;
    });
  }

  public Optional<Service> get(String name) {
    return db.inTransaction(c -> find(c, name));
  }

  public Service create(Service s) {
    return db.inTransaction(c -> {
      if (find(c, s.name()).isPresent()) {
        throw new ConflictException("service '" + s.name() + "' already exists; use update to change it");
      }
      checkHostsFree(c, s);
      Instant now = now();
      Service stored = s.withVersion(1, now, now);
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO services(" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        bind(ps, stored);
        ps.executeUpdate();
      }
      writeHosts(c, stored);
      return stored;
    });
  }

  /** Replaces a service. With an expected version, a concurrent change makes this fail with a conflict. */
  public Service update(Service s, Optional<Long> expectedVersion) {
    return db.inTransaction(c -> {
      Service current = find(c, s.name()).orElseThrow(() -> new NotFoundException("service '" + s.name() + "' does not exist"));
      checkVersion(current, expectedVersion);
      checkHostsFree(c, s);
      Service stored = s.withVersion(current.version() + 1, current.createTime(), now());
      try (PreparedStatement ps = c.prepareStatement("UPDATE services SET project = ?, upstream = ?, iap = ?, "
          + "ingress = ?, connect_timeout_ms = ?, response_timeout_ms = ?, idle_timeout_ms = ?, version = ?, "
          + "update_time = ?, reauth_max_age_ms = ?, access_denied_page_uri = ?, access_denied_message = ?, "
          + "assertion_audience = ?, assertion_groups = ?, iap_compatible = ?, allow_http_options = ? "
          + "WHERE name = ? AND version = ?")) {
        ps.setString(1, stored.project());
        ps.setString(2, stored.upstream().toString());
        ps.setBoolean(3, stored.iap());
        ps.setString(4, stored.ingress().wireName());
        millis(ps, 5, stored.timeouts().connect());
        millis(ps, 6, stored.timeouts().response());
        millis(ps, 7, stored.timeouts().idle());
        ps.setLong(8, stored.version());
        ps.setLong(9, stored.updateTime().toEpochMilli());
        millis(ps, 10, stored.reauthMaxAge());
        ps.setString(11, stored.accessDenied().pageUri().map(URI::toString).orElse(null));
        ps.setString(12, stored.accessDenied().message().orElse(null));
        bindAssertion(ps, 13, stored);
        ps.setString(17, stored.name());
        ps.setLong(18, current.version());
        if (ps.executeUpdate() != 1) {
          throw new ConflictException("service '" + s.name() + "' was changed concurrently; read it again and retry");
        }
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM service_hosts WHERE service = ?")) {
        ps.setString(1, stored.name());
        ps.executeUpdate();
      }
      writeHosts(c, stored);
      if (!current.project().equals(stored.project())) {
        IamRepository.moveServicePolicy(c, current.resourceName(), stored.resourceName());
      }
      return stored;
    });
  }

  public Service delete(String name, Optional<Long> expectedVersion) {
    return db.inTransaction(c -> {
      Service current = find(c, name).orElseThrow(() -> new NotFoundException("service '" + name + "' does not exist"));
      checkVersion(current, expectedVersion);
      try (PreparedStatement hosts = c.prepareStatement("DELETE FROM service_hosts WHERE service = ?");
           PreparedStatement ps = c.prepareStatement("DELETE FROM services WHERE name = ? AND version = ?")) {
        hosts.setString(1, name);
        hosts.executeUpdate();
        ps.setString(1, name);
        ps.setLong(2, current.version());
        if (ps.executeUpdate() != 1) {
          throw new ConflictException("service '" + name + "' was changed concurrently; read it again and retry");
        }
      }
      IamRepository.deleteServicePolicy(c, current.resourceName());
      return current;
    });
  }

  /** Times are stored as epoch milliseconds; a write answers with the time exactly as later reads give it. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private static void checkVersion(Service current, Optional<Long> expected) {
    if (expected.isPresent() && expected.get() != current.version()) {
      throw new ConflictException("etag mismatch: service '" + current.name() + "' is now at etag "
          + current.etag() + "; read it again, reapply your change and retry");
    }
  }

  private static void checkHostsFree(Connection c, Service s) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT service FROM service_hosts WHERE host = ? AND service <> ?")) {
      for (String h : s.hosts()) {
        ps.setString(1, h);
        ps.setString(2, s.name());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            throw new ConflictException("host '" + h + "' already routes to service '" + rs.getString(1) + "'");
          }
        }
      }
    }
  }

  private static void writeHosts(Connection c, Service s) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO service_hosts(host, service) VALUES (?, ?)")) {
      for (String h : s.hosts()) {
        ps.setString(1, h);
        ps.setString(2, s.name());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static Optional<Service> find(Connection c, String name) throws SQLException {
    List<String> hosts = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT host FROM service_hosts WHERE service = ? ORDER BY host")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          hosts.add(rs.getString(1));
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM services WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs, hosts)) : Optional.empty();
      }
    }
  }

  private static void bind(PreparedStatement ps, Service s) throws SQLException {
    ps.setString(1, s.name());
    ps.setString(2, s.project());
    ps.setString(3, s.upstream().toString());
    ps.setBoolean(4, s.iap());
    ps.setString(5, s.ingress().wireName());
    millis(ps, 6, s.timeouts().connect());
    millis(ps, 7, s.timeouts().response());
    millis(ps, 8, s.timeouts().idle());
    ps.setLong(9, s.version());
    ps.setLong(10, s.createTime().toEpochMilli());
    ps.setLong(11, s.updateTime().toEpochMilli());
    millis(ps, 12, s.reauthMaxAge());
    ps.setString(13, s.accessDenied().pageUri().map(URI::toString).orElse(null));
    ps.setString(14, s.accessDenied().message().orElse(null));
    bindAssertion(ps, 15, s);
  }

  private static void bindAssertion(PreparedStatement ps, int first, Service s) throws SQLException {
    ps.setString(first, s.assertion().audience().orElse(null));
    ps.setBoolean(first + 1, s.assertion().groups());
    ps.setBoolean(first + 2, s.assertion().iapCompatible());
    ps.setBoolean(first + 3, s.allowHttpOptions());
  }

  private static void millis(PreparedStatement ps, int i, Optional<Duration> d) throws SQLException {
    if (d.isPresent()) {
      ps.setLong(i, d.get().toMillis());
    } else {
      ps.setNull(i, Types.BIGINT);
    }
  }

  private static Optional<Duration> millis(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(Duration.ofMillis(v));
  }

  private static Service read(ResultSet rs, List<String> hosts) throws SQLException {
    return new Service(
        rs.getString("name"),
        rs.getString("project"),
        URI.create(rs.getString("upstream")),
        hosts,
        rs.getBoolean("iap"),
        Ingress.parse(rs.getString("ingress")).orElseThrow(() -> new StoreException("bad ingress in store")),
        new Timeouts(millis(rs, "connect_timeout_ms"), millis(rs, "response_timeout_ms"), millis(rs, "idle_timeout_ms")),
        millis(rs, "reauth_max_age_ms"),
        new AccessDenied(Optional.ofNullable(rs.getString("access_denied_page_uri")).map(URI::create),
            Optional.ofNullable(rs.getString("access_denied_message"))),
        new AssertionOptions(Optional.ofNullable(rs.getString("assertion_audience")), rs.getBoolean("assertion_groups"),
            rs.getBoolean("iap_compatible")),
        rs.getBoolean("allow_http_options"),
        rs.getLong("version"),
        Instant.ofEpochMilli(rs.getLong("create_time")),
        Instant.ofEpochMilli(rs.getLong("update_time")));
  }
}
