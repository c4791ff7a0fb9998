package dev.portcullis.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The connection pool and schema of the store, SQLite or PostgreSQL. Migrations run before anything
 * reads it: the shared ones in db/migration, and the few that only one database needs in
 * db/vendor/sqlite or db/vendor/postgresql.
 *
 * <p>Every repository's read-then-write (etag checks, single-use codes, "no cycle" checks) relies on its
 * transaction seeing no concurrent writer. SQLite gives that by taking the write lock at BEGIN; on
 * PostgreSQL every transaction is SERIALIZABLE and one the server aborts as a serialization failure is
 * run again from the start, so two replicas behave as one writer at a time.
 */
public final class Database implements AutoCloseable {
  public enum Vendor { SQLITE, POSTGRESQL }

  private static final int SERIALIZATION_RETRIES = 20;

  private final HikariDataSource dataSource;
  private final StoreUrl url;
  private Migrations migrations = new Migrations(0, "");

  /** What the last migration at open did: how many were applied, and the schema version now. */
  public record Migrations(int applied, String version) {}

  private Database(HikariDataSource dataSource, StoreUrl url) {
    this.dataSource = dataSource;
    this.url = url;
  }

  /** Opens the store {@code url} names and brings its schema up to date. */
  public static Database open(StoreUrl url) {
    return switch (url) {
      case StoreUrl.Sqlite s -> openSqlite(s.file());
      case StoreUrl.Postgres p -> openPostgres(p);
    };
  }

  /** Opens (creating if needed) the SQLite file and brings its schema up to date. */
  public static Database openSqlite(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new StoreException("cannot create the directory for " + file + ": " + e.getMessage(), e);
    }
    HikariConfig config = new HikariConfig();
    config.setPoolName("portcullis-store");
    config.setJdbcUrl("jdbc:sqlite:" + file.toAbsolutePath());
    config.addDataSourceProperty("foreign_keys", "true");
    config.addDataSourceProperty("journal_mode", "WAL");
    config.addDataSourceProperty("synchronous", "NORMAL");
    config.addDataSourceProperty("busy_timeout", "10000");
    // Take the write lock when a transaction begins: read-then-write transactions (single-use codes,
    // etag checks) can then never fail half-way on a snapshot that another writer has moved past.
    config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
    config.setMaximumPoolSize(4);
    config.setConnectionTimeout(10_000);
    return openPool(config, new StoreUrl.Sqlite(file));
  }

  /** Connects to PostgreSQL (the server and database must exist) and brings its schema up to date. */
  public static Database openPostgres(StoreUrl.Postgres url) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("portcullis-store");
    config.setJdbcUrl(url.jdbcUrl());
    config.setUsername(url.user());
    config.setPassword(url.password());
    config.setTransactionIsolation("TRANSACTION_SERIALIZABLE");
    config.setMaximumPoolSize(10);
    // During an outage, a request that needs the store is answered (503) in seconds, not minutes.
    config.setConnectionTimeout(5_000);
    config.setValidationTimeout(2_000);
    postgresProperties().forEach((k, v) -> config.addDataSourceProperty((String) k, v));
    return openPool(config, url);
  }

  /** What every connection to PostgreSQL is opened with, the pool's and the change feed's alike. */
  private static Properties postgresProperties() {
    Properties p = new Properties();
    p.setProperty("ApplicationName", "portcullis");
    p.setProperty("connectTimeout", "5");
    // A server that stopped answering (network cut, not a closed socket) is noticed on the next read.
    p.setProperty("socketTimeout", "30");
    p.setProperty("tcpKeepAlive", "true");
    return p;
  }

  private static Database openPool(HikariConfig config, StoreUrl url) {
    HikariDataSource ds;
    try {
      ds = new HikariDataSource(config);
    } catch (HikariPool.PoolInitializationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new StoreException("cannot connect to the store " + url + ": " + cause.getMessage()
          + "; check store.url and that the server is up", e);
    } catch (RuntimeException e) {
      throw new StoreException("cannot open the store " + url + ": " + e.getMessage(), e);
    }
    Database db = new Database(ds, url);
    db.migrate();
    return db;
  }

  private void migrate() {
    try {
      MigrateResult result = Flyway.configure()
          .dataSource(dataSource)
          // Flyway itself has no {vendor} placeholder (that is Spring Boot's): the folder is named here.
          .locations("classpath:db/migration", "classpath:db/vendor/" + vendor().name().toLowerCase(Locale.ROOT))
          .loggers("slf4j")
          .load()
          .migrate();
      // With nothing pending, no migration sets a target: the schema stays at the version it started at.
      migrations = new Migrations(result.migrationsExecuted,
          result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion);
    } catch (FlywayException e) {
      dataSource.close();
      throw new StoreException("cannot migrate the store: " + e.getMessage(), e);
    }
  }

  public Migrations migrations() {
    return migrations;
  }

  public Vendor vendor() {
    return url instanceof StoreUrl.Postgres ? Vendor.POSTGRESQL : Vendor.SQLITE;
  }

  public StoreUrl url() {
    return url;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * A connection of its own, outside the pool, for the PostgreSQL change feed (LISTEN holds it for
   * as long as it lives). The caller closes it.
   */
  Connection dedicatedConnection() throws SQLException {
    if (!(url instanceof StoreUrl.Postgres p)) {
      throw new IllegalStateException("only PostgreSQL has a change feed");
    }
    Properties props = postgresProperties();
    props.setProperty("user", p.user());
    props.setProperty("password", p.password());
    // Waiting for notifications is not a query: no read timeout there; liveness is checked by the feed.
    props.setProperty("socketTimeout", "0");
    // Named apart in pg_stat_activity, so an operator sees which connection is each replica's feed.
    props.setProperty("ApplicationName", "portcullis-change-feed");
    return DriverManager.getConnection(p.jdbcUrl(), props);
  }

  /**
   * Runs work in one transaction: committed if it returns, rolled back if it throws. On PostgreSQL a
   * serialization failure runs it again, so work must not act outside the transaction. A store that
   * cannot be reached is a {@link StoreUnavailableException}.
   */
  public <T> T inTransaction(SqlWork<T> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        return once(work);
      } catch (SQLException e) {
        if (retryable(e) && attempt < SERIALIZATION_RETRIES) {
          backOff(attempt);
          continue;
        }
        if (unavailable(e)) {
          throw new StoreUnavailableException("the store is unreachable (" + e.getMessage() + ")", e);
        }
        throw new StoreException("store error: " + e.getMessage(), e);
      }
    }
  }

  private <T> T once(SqlWork<T> work) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
        throw e;
      }
    }
  }

  /** Serialization failure or deadlock: PostgreSQL asks for the transaction to be run again. */
  private static boolean retryable(SQLException e) {
    return "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
  }

  /** No connection could be had or it broke: class 08, or the server shutting down or starting (57P0x). */
  static boolean unavailable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException s && s.getSQLState() != null
          && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57P"))) {
        return true;
      }
    }
    return false;
  }

  private static void backOff(int attempt) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, 5L * Math.min(attempt, 10)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while retrying a store transaction", e);
    }
  }

  @FunctionalInterface
  public interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
