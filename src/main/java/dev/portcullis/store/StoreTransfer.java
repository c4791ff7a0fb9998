package dev.portcullis.store;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A whole deployment's store moved between databases (SQLite to PostgreSQL, or back), as JSON Lines:
 * a header, one line per row ({@code {"table": T, "row": {column: value}}}), and a trailer with each
 * table's row count, so a cut file is refused rather than half-imported. Every table is copied, whatever
 * it holds; values are strings, whole numbers, booleans or null, and are bound by the target's column
 * types (SQLite keeps booleans as integers). The export is read in one transaction and the import is
 * written in one: it lands whole or not at all, and only into an empty store.
 */
public final class StoreTransfer {
  public static final String FORMAT = "portcullis-export";
  public static final int FORMAT_VERSION = 1;
  private static final String HISTORY = "flyway_schema_history";
  /** Tables others refer to by foreign key go in first. */
  private static final List<String> PARENTS = List.of("services", "groups", "service_accounts");
  private static final int BATCH = 500;

  private StoreTransfer() {}

  /**
   * Writes every row of every table; returns the row count per table. The rows are read into a private
   * temporary file first and copied to {@code out} once their transaction has committed: on PostgreSQL a
   * serialization failure runs the read again, and {@code out} must not get a second header or rows.
   */
  public static Map<String, Long> export(Database db, Writer out) {
    return export(db, out, Map.of());
  }

  /**
   * As above, each row of a table named in {@code rows} passed through its function first (the audit
   * blocks that point at this replica's files get their lines read in, for a store on another machine).
   */
  public static Map<String, Long> export(Database db, Writer out,
      Map<String, java.util.function.UnaryOperator<JsonObject>> rows) {
    Path spool;
    try {
      // Created readable by its owner only (on POSIX): the rows hold password hashes and sealed keys.
      spool = Files.createTempFile("portcullis-export", ".tmp");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Map<String, Long> counts = db.inTransaction(c -> {
        // Each attempt starts the file over.
        try (DataOutputStream lines = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(spool,
            StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)))) {
          return exportRows(db, c, lines, rows);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      copyChars(spool, out);
      out.flush();
      return counts;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        Files.deleteIfExists(spool);
      } catch (IOException e) {
        // Best effort: it is the operator's own temporary directory.
      }
    }
  }

  private static Map<String, Long> exportRows(Database db, Connection c, DataOutputStream out,
      Map<String, java.util.function.UnaryOperator<JsonObject>> rows) throws SQLException {
    Map<String, Long> counts = new TreeMap<>();
    write(out, new JsonObject().put("format", FORMAT).put("version", FORMAT_VERSION)
        .put("from", db.vendor().name().toLowerCase(Locale.ROOT)).put("schema", db.migrations().version()));
    for (String table : tables(c)) {
      long n = 0;
      try (Statement st = c.createStatement();
           ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
        ResultSetMetaData md = rs.getMetaData();
        while (rs.next()) {
          JsonObject row = new JsonObject();
          for (int i = 1; i <= md.getColumnCount(); i++) {
            row.put(md.getColumnName(i).toLowerCase(Locale.ROOT), value(rs, i, md.getColumnTypeName(i)));
          }
          write(out, new JsonObject().put("table", table)
              .put("row", rows.getOrDefault(table, java.util.function.UnaryOperator.identity()).apply(row)));
          n++;
        }
      }
      counts.put(table, n);
    }
    JsonObject trailer = new JsonObject();
    counts.forEach(trailer::put);
    write(out, new JsonObject().put("counts", trailer));
    return counts;
  }

  /**
   * Copies what {@link #write} spooled to {@code out}: two bytes a char, so every char reaches {@code out}
   * exactly as the encoded line had it, whatever the output's charset.
   */
  private static void copyChars(Path spool, Writer out) throws IOException {
    try (InputStream in = Files.newInputStream(spool)) {
      byte[] bytes = new byte[16 * 1024];
      char[] chars = new char[bytes.length / 2];
      for (int n = in.readNBytes(bytes, 0, bytes.length); n > 0; n = in.readNBytes(bytes, 0, bytes.length)) {
        for (int i = 0; i < n / 2; i++) {
          chars[i] = (char) (((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff));
        }
        out.write(chars, 0, n / 2);
      }
    }
  }

  /**
   * Reads an export into this store, which must hold no rows yet (migrated, never served). Returns the
   * row count per table, as counted in the store after the import, which equals the export's.
   */
  public static Map<String, Long> importInto(Database db, BufferedReader in) throws IOException {
    Map<String, List<JsonObject>> rows = new LinkedHashMap<>();
    Map<String, Long> expected = read(in, rows);
    return db.inTransaction(c -> {
      List<String> present = tables(c);
      for (String table : present) {
        long n = count(c, table);
        if (n > 0) {
          throw new StoreException("the target store is not empty (" + table + " has " + n + " rows); import into "
              + "a new, empty database: create it, run 'portcullis migrate' on it, then import (do not serve first)");
        }
      }
      for (String table : expected.keySet()) {
        if (!present.contains(table)) {
          throw new StoreException("the export has table " + table + ", which this store does not; import with "
              + "the Portcullis version that exported (or a later one)");
        }
      }
      List<String> order = new ArrayList<>(expected.keySet());
      order.sort(Comparator.<String>comparingInt(t -> PARENTS.contains(t) ? PARENTS.indexOf(t) : PARENTS.size())
          .thenComparing(Comparator.naturalOrder()));
      for (String table : order) {
        insert(c, table, rows.getOrDefault(table, List.of()));
      }
      Map<String, Long> counts = new TreeMap<>();
      for (String table : order) {
        long n = count(c, table);
        if (n != expected.get(table)) {
          throw new StoreException("table " + table + " has " + n + " rows after the import, the export "
              + expected.get(table) + "; nothing was imported");
        }
        counts.put(table, n);
      }
      return counts;
    });
  }

  /** The export's rows by table, and the trailer's counts, checked against the rows read. */
  private static Map<String, Long> read(BufferedReader in, Map<String, List<JsonObject>> rows) throws IOException {
    String first = in.readLine();
    JsonObject header = first == null ? null : parse(first, 1);
    if (header == null || !FORMAT.equals(header.getString("format"))) {
      throw new StoreException("not a Portcullis export (it should start with {\"format\":\"" + FORMAT + "\"...})");
    }
    if (header.getInteger("version", 0) != FORMAT_VERSION) {
      throw new StoreException("export format version " + header.getValue("version") + " is not one this Portcullis "
          + "reads (" + FORMAT_VERSION + ")");
    }
    Map<String, Long> counts = null;
    int lineNo = 1;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      lineNo++;
      if (counts != null) {
        throw new StoreException("line " + lineNo + " follows the export's last line (the counts)");
      }
      JsonObject o = parse(line, lineNo);
      if (o.containsKey("counts")) {
        counts = new TreeMap<>();
        for (Map.Entry<String, Object> e : o.getJsonObject("counts")) {
          counts.put(e.getKey(), ((Number) e.getValue()).longValue());
        }
      } else {
        rows.computeIfAbsent(o.getString("table"), t -> new ArrayList<>()).add(o.getJsonObject("row"));
      }
    }
    if (counts == null) {
      throw new StoreException("the export is cut short (no counts at its end); export again");
    }
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      int n = rows.getOrDefault(e.getKey(), List.of()).size();
      if (n != e.getValue()) {
        throw new StoreException("the export says " + e.getValue() + " rows of " + e.getKey() + " but holds " + n);
      }
    }
    return counts;
  }

  private static JsonObject parse(String line, int lineNo) {
    try {
      return new JsonObject(line);
    } catch (DecodeException e) {
      throw new StoreException("line " + lineNo + " of the export is not JSON: " + e.getMessage());
    }
  }

  private static void insert(Connection c, String table, List<JsonObject> rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    Map<String, Integer> types = columnTypes(c, table);
    List<String> columns = new ArrayList<>(rows.get(0).fieldNames());
    for (String column : columns) {
      if (!types.containsKey(column)) {
        throw new StoreException("the export has column " + table + "." + column + ", which this store does not");
      }
    }
    String sql = "INSERT INTO " + table + "(" + String.join(", ", columns) + ") VALUES ("
        + String.join(", ", columns.stream().map(x -> "?").toList()) + ")";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int pending = 0;
      for (JsonObject row : rows) {
        for (int i = 0; i < columns.size(); i++) {
          bind(ps, i + 1, types.get(columns.get(i)), row.getValue(columns.get(i)));
        }
        ps.addBatch();
        if (++pending == BATCH) {
          ps.executeBatch();
          pending = 0;
        }
      }
      if (pending > 0) {
        ps.executeBatch();
      }
    }
  }

  private static void bind(PreparedStatement ps, int i, int type, Object value) throws SQLException {
    if (value == null) {
      ps.setNull(i, type);
      return;
    }
    switch (type) {
      case Types.BOOLEAN, Types.BIT ->
          ps.setBoolean(i, value instanceof Boolean b ? b : ((Number) value).longValue() != 0);
      case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT, Types.NUMERIC, Types.DECIMAL ->
          ps.setLong(i, ((Number) value).longValue());
      default -> ps.setString(i, value.toString());
    }
  }

  private static Object value(ResultSet rs, int i, String typeName) throws SQLException {
    String type = typeName == null ? "" : typeName.toUpperCase(Locale.ROOT);
    Object v;
    if (type.startsWith("BOOL")) {
      v = rs.getBoolean(i);
    } else if (type.contains("INT")) {
      v = rs.getLong(i);
    } else {
      v = rs.getString(i);
    }
    return rs.wasNull() ? null : v;
  }

  private static Map<String, Integer> columnTypes(Connection c, String table) throws SQLException {
    Map<String, Integer> types = new HashMap<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
      ResultSetMetaData md = rs.getMetaData();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        types.put(md.getColumnName(i).toLowerCase(Locale.ROOT), md.getColumnType(i));
      }
    }
    return types;
  }

  /** The store's own tables, without Flyway's history (each store keeps its own). */
  private static List<String> tables(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    DatabaseMetaData md = c.getMetaData();
    String schema = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres")
        ? "public" : null;
    try (ResultSet rs = md.getTables(null, schema, "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        String name = rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
        if (!name.equals(HISTORY) && !name.startsWith("sqlite_")) {
          out.add(name);
        }
      }
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  private static long count(Connection c, String table) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void write(DataOutputStream out, JsonObject line) {
    try {
      out.writeChars(line.encode());
      out.writeChar('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
