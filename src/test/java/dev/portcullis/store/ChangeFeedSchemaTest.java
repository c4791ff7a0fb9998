package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The schema on PostgreSQL: the shared migrations and the change feed's triggers. A table added later
 * must either notify (a trigger in db/vendor/postgresql) or be listed here as not held in memory.
 */
class ChangeFeedSchemaTest {
  /** Tables no replica keeps in memory: read from the store when needed, so nothing to tell the others. */
  private static final Set<String> NOT_IN_MEMORY = Set.of("meta", "handoff_codes", "login_states", "audit_blocks",
      "audit_anchors", "flyway_schema_history");

  private static TestPostgres postgres;

  @BeforeAll
  static void start() throws Exception {
    postgres = TestPostgres.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void everyTableHeldInMemory_notifiesTheFeed() throws Exception {
    String url = postgres.createDatabase("schema");
    try (Database db = Database.open(StoreUrl.parse(Optional.of(url), java.nio.file.Path.of(".")));
         Connection c = db.dataSource().getConnection();
         Statement st = c.createStatement()) {
      assertThat(db.vendor()).isEqualTo(Database.Vendor.POSTGRESQL);
      Set<String> tables = new TreeSet<>();
      try (ResultSet rs = st.executeQuery(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      Set<String> notifying = new TreeSet<>();
      try (ResultSet rs = st.executeQuery("SELECT DISTINCT event_object_table FROM information_schema.triggers "
          + "WHERE action_statement LIKE '%portcullis_notify%'")) {
        while (rs.next()) {
          notifying.add(rs.getString(1));
        }
      }
      assertThat(tables).contains("groups", "iam_policies", "sessions", "audit_blocks");
      Set<String> expected = new TreeSet<>(tables);
      expected.removeAll(NOT_IN_MEMORY);
      assertThat(notifying).isEqualTo(expected);
    }
  }
}
