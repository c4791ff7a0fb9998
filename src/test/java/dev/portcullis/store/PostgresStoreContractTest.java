package dev.portcullis.store;

import dev.portcullis.testing.TestPostgres;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on PostgreSQL: every test of {@link StoreContractTest}, on a database of its own. */
class PostgresStoreContractTest extends StoreContractTest {
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
    String url = postgres.createDatabase("contract" + DATABASES.incrementAndGet());
    return Database.open(StoreUrl.parse(Optional.of(url), dir));
  }
}
