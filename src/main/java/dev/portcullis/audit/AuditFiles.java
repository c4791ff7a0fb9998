package dev.portcullis.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where the audit files live: {@code DATA_DIR/audit/replica-ID-FIRSTSEQ.jsonl}, one chain per replica
 * split into segments named by the seq of their first record (zero-padded, so names sort in chain
 * order), and {@code DATA_DIR/audit/replica-id} holding this data directory's replica id.
 */
public final class AuditFiles {
  private static final Pattern SEGMENT = Pattern.compile("replica-([0-9a-z]+)-(\\d{20})\\.jsonl");
  private static final String REPLICA_ID_FILE = "replica-id";

  private AuditFiles() {}

  public static Path directory(Path dataDir) {
    return dataDir.resolve("audit");
  }

  /** The replica id kept in the audit directory, created (random, 16 hex digits) on first use. */
  public static String replicaId(Path auditDir) throws IOException {
    Files.createDirectories(auditDir);
    Path file = auditDir.resolve(REPLICA_ID_FILE);
    if (Files.exists(file)) {
      String id = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (!id.matches("[0-9a-z]+")) {
        throw new IOException("bad replica id in " + file);
      }
      return id;
    }
    byte[] random = new byte[8];
    new SecureRandom().nextBytes(random);
    String id = HexFormat.of().formatHex(random);
    Path tmp = auditDir.resolve(REPLICA_ID_FILE + ".tmp");
    Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    return id;
  }

  public static Path segment(Path auditDir, String replica, long firstSeq) {
    return auditDir.resolve("replica-" + replica + "-" + String.format("%020d", firstSeq) + ".jsonl");
  }

  /** The first seq a segment file's name gives, or -1 when the name is not a segment's. */
  public static long firstSeq(Path segment) {
    Matcher m = SEGMENT.matcher(segment.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(2)) : -1;
  }

  /** A replica's segments in chain order. */
  public static List<Path> segments(Path auditDir, String replica) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(auditDir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(auditDir)) {
      files.filter(p -> {
            Matcher m = SEGMENT.matcher(p.getFileName().toString());
            return m.matches() && m.group(1).equals(replica);
          })
          .sorted()
          .forEach(out::add);
    }
    return out;
  }

  /** Every replica that has segments in the directory. */
  public static List<String> replicas(Path auditDir) throws IOException {
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(auditDir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(auditDir)) {
      files.map(p -> SEGMENT.matcher(p.getFileName().toString()))
          .filter(Matcher::matches)
          .map(m -> m.group(1))
          .distinct()
          .sorted()
          .forEach(out::add);
    }
    return out;
  }
}
