package dev.portcullis.assertion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.config.MasterKey;
import dev.portcullis.testing.TestPortcullis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signing keys at rest: sealed under the master key, the same after a restart, refused with another key. */
class KeyStorageTest {

  @Test
  void embeddedDefault_generatesAnOwnerOnlyMasterKey_andKeepsTheKeysAcrossRestarts(@TempDir Path dir) throws Exception {
    String jwks;
    try (TestPortcullis p = TestPortcullis.start(dir)) {
      jwks = p.portcullis().signingKeys().jwks();
    }
    Path keyFile = dir.resolve(MasterKeyFile.FILE_NAME);
    assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(MasterKey.parse(Files.readString(keyFile))).isPresent();

    try (TestPortcullis p = TestPortcullis.start(dir)) {
      assertThat(p.portcullis().signingKeys().jwks()).isEqualTo(jwks);
    }
  }

  @Test
  void privateKeys_areNeverStoredInClear(@TempDir Path dir) throws Exception {
    try (TestPortcullis p = TestPortcullis.start(dir)) {
      p.admin("POST", "/v1/keys:rotate", new io.vertx.core.json.JsonObject());
    }
    List<String> sealed = new ArrayList<>();
    List<String> published = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("portcullis.db"));
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT public_jwk, private_jwk FROM signing_keys")) {
      while (rs.next()) {
        published.add(rs.getString(1));
        sealed.add(rs.getString(2));
      }
    }
    assertThat(sealed).hasSize(3).allSatisfy(v -> {
      assertThat(v.split("\\.", -1)).as("a compact JWE").hasSize(5);
      assertThat(v).doesNotContain("\"d\"").doesNotContain("\"x\"");
    });
    assertThat(published).allSatisfy(v -> assertThat(v).doesNotContain("\"d\""));
  }

  @Test
  void anotherMasterKey_stopsTheStart_sayingWhichKeyIsWanted(@TempDir Path dir) throws Exception {
    Path mine = dir.resolve("my-master-key");
    Files.writeString(mine, MasterKey.generate().encoded());
    Path data = dir.resolve("data");
    try (TestPortcullis p = TestPortcullis.start(data, Map.of("keys.master_key_file", mine.toString()))) {
      assertThat(p.portcullis().signingKeys().list()).hasSize(2);
    }
    assertThat(data.resolve(MasterKeyFile.FILE_NAME)).doesNotExist();
    Path wrong = dir.resolve("wrong-master-key");
    Files.writeString(wrong, MasterKey.generate().encoded());

    assertThatThrownBy(() -> TestPortcullis.start(data, Map.of("keys.master_key_file", wrong.toString())))
        .hasMessageContaining("cannot be used").hasMessageContaining("does not open with this master key")
        .hasMessageContaining("keys.master_key_file")
        .hasMessageNotContaining(Files.readString(mine).strip())
        .hasMessageNotContaining(Files.readString(wrong).strip());
  }
}
