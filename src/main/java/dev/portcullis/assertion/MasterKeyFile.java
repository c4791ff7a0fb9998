package dev.portcullis.assertion;

import dev.portcullis.config.MasterKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default's master key: {@code DATA_DIR/master-key}, created with owner-only permissions on the
 * first start when no key was configured. Its path is logged once, its content never.
 */
public final class MasterKeyFile {
  private static final Logger log = LoggerFactory.getLogger(MasterKeyFile.class);
  public static final String FILE_NAME = "master-key";

  private MasterKeyFile() {}

  public static MasterKey loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    if (Files.exists(file)) {
      return MasterKey.parse(Files.readString(file, StandardCharsets.US_ASCII)).orElseThrow(() -> new IOException(
          file + " does not hold a master key (" + MasterKey.HOW_TO_MAKE + "). Restore it from a backup: the "
              + "signing keys in the store are sealed with it"));
    }
    MasterKey key = MasterKey.generate();
    Path tmp = dataDir.resolve(FILE_NAME + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp);
    }
    Files.writeString(tmp, key.encoded() + "\n", StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    log.warn("Generated a master key in {} (readable by this user only). It seals the assertion signing keys: "
        + "back it up with the store, or give your own with keys.master_key_file or PORTCULLIS_MASTER_KEY.", file);
    return key;
  }
}
