package dev.portcullis.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the store is, as the operator writes it in {@code store.url}: empty for SQLite in the data
 * directory, {@code sqlite:PATH}, or {@code postgresql://USER:PASSWORD@HOST:PORT/DATABASE?PARAMS}
 * ({@code postgres://} too, as libpq spells it). Query parameters go to the JDBC driver as they are
 * (e.g. {@code sslmode=verify-full}). The password is never part of {@link #toString()}.
 */
public sealed interface StoreUrl {
  String ALLOWED = "empty for SQLite in data_dir, sqlite:PATH, or postgresql://USER:PASSWORD@HOST:5432/DATABASE "
      + "(query parameters such as ?sslmode=verify-full go to the PostgreSQL driver)";

  record Sqlite(Path file) implements StoreUrl {
    @Override
    public String toString() {
      return "sqlite:" + file;
    }
  }

  /** A PostgreSQL server: the JDBC URL without credentials, and the credentials apart. */
  record Postgres(String jdbcUrl, String user, String password) implements StoreUrl {
    @Override
    public String toString() {
      return jdbcUrl.substring("jdbc:".length()) + (user.isEmpty() ? "" : " as " + user);
    }
  }

  /** The store for a {@code store.url} value; an {@link IllegalArgumentException} says what is wrong. */
  public static StoreUrl parse(Optional<String> raw, Path dataDir) {
    String url = raw.map(String::strip).orElse("");
    if (url.isEmpty()) {
      return new Sqlite(dataDir.resolve("portcullis.db"));
    }
    if (url.startsWith("sqlite:")) {
      String path = url.substring("sqlite:".length());
      if (path.isBlank()) {
        throw new IllegalArgumentException("'sqlite:' needs a file path, e.g. sqlite:/var/lib/portcullis/portcullis.db");
      }
      return new Sqlite(Path.of(path));
    }
    if (url.startsWith("postgresql://") || url.startsWith("postgres://")) {
      return postgres(url);
    }
    throw new IllegalArgumentException("'" + redact(url) + "' is not a store Portcullis knows; use " + ALLOWED);
  }

  private static Postgres postgres(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + redact(url) + "' is not a URL: " + e.getReason()
          + "; percent-encode special characters in the password (e.g. @ as %40)");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("'" + redact(url) + "' names no host (one host only; for several, put "
          + "a load balancer or a connection pooler in front); use postgresql://USER:PASSWORD@HOST:5432/DATABASE");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    if (path.length() <= 1 || path.indexOf('/', 1) >= 0) {
      throw new IllegalArgumentException("'" + redact(url) + "' names no database; use "
          + "postgresql://USER:PASSWORD@HOST:5432/DATABASE");
    }
    String user = "";
    String password = "";
    if (uri.getUserInfo() != null) {
      String info = uri.getUserInfo();
      int colon = info.indexOf(':');
      user = colon < 0 ? info : info.substring(0, colon);
      password = colon < 0 ? "" : info.substring(colon + 1);
    }
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    String host = uri.getHost();
    String jdbc = "jdbc:postgresql://" + host + ":" + port + path + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    return new Postgres(jdbc, user, password);
  }

  /** The URL with any password replaced, for messages. */
  static String redact(String url) {
    return url.replaceAll("(://[^:/@]*:)[^@]*@", "$1***@");
  }

  /** Checks a {@code store.url} value; the message of the exception says what is wrong and how to write it. */
  public static void check(String raw) {
    parse(Optional.ofNullable(raw), Path.of("."));
  }
}
