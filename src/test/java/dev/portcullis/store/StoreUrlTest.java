package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StoreUrlTest {
  private static final Path DATA = Path.of("/var/lib/portcullis");

  @Test
  void empty_isSqliteInTheDataDirectory() {
    assertThat(StoreUrl.parse(Optional.empty(), DATA)).isEqualTo(new StoreUrl.Sqlite(DATA.resolve("portcullis.db")));
    assertThat(StoreUrl.parse(Optional.of("  "), DATA)).isInstanceOf(StoreUrl.Sqlite.class);
  }

  @Test
  void sqlitePath_isThatFile() {
    assertThat(StoreUrl.parse(Optional.of("sqlite:/tmp/x.db"), DATA)).isEqualTo(new StoreUrl.Sqlite(Path.of("/tmp/x.db")));
  }

  @Test
  void postgresql_becomesAJdbcUrlWithCredentialsApart() {
    StoreUrl.Postgres p = (StoreUrl.Postgres) StoreUrl.parse(
        Optional.of("postgresql://portcullis:s%40cret@db.internal:6432/iap?sslmode=verify-full"), DATA);

    assertThat(p.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6432/iap?sslmode=verify-full");
    assertThat(p.user()).isEqualTo("portcullis");
    assertThat(p.password()).isEqualTo("s@cret");
    assertThat(p.toString()).doesNotContain("s@cret").doesNotContain("s%40cret");
  }

  @Test
  void postgresWithoutPort_usesTheDefaultPort() {
    StoreUrl.Postgres p = (StoreUrl.Postgres) StoreUrl.parse(Optional.of("postgres://u@db/iap"), DATA);

    assertThat(p.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/iap");
    assertThat(p.password()).isEmpty();
  }

  @Test
  void badUrl_saysHowToWriteOne_withoutThePassword() {
    assertThatThrownBy(() -> StoreUrl.check("postgresql://u:hunter2@db.internal"))
        .hasMessageContaining("names no database").hasMessageContaining("postgresql://USER:PASSWORD@HOST:5432/DATABASE")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> StoreUrl.check("mysql://u:hunter2@db/x"))
        .hasMessageContaining("sqlite:PATH").hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> StoreUrl.check("sqlite:")).hasMessageContaining("file path");
  }
}
