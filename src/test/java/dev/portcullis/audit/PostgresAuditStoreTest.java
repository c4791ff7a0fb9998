package dev.portcullis.audit;

import dev.portcullis.store.Database;
import dev.portcullis.store.StoreUrl;
import dev.portcullis.testing.TestPostgres;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The audit store's contract on PostgreSQL: every test of {@link AuditStoreTest}, on a database of its own. */
class PostgresAuditStoreTest extends AuditStoreTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static TestPostgres postgres;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = TestPostgres.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Override
  Database newDatabase() throws Exception {
    String url = postgres.createDatabase("audit" + DATABASES.incrementAndGet());
    return Database.open(StoreUrl.parse(Optional.of(url), dataDir));
  }

  @Override
  StoreUrl legacyStore() throws Exception {
    return StoreUrl.parse(Optional.of(postgres.createDatabase("legacy" + DATABASES.incrementAndGet())), dataDir);
  }
}
