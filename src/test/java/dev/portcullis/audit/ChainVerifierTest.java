package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.ChainVerifier.Anchor;
import dev.portcullis.audit.ChainVerifier.Problem;
import dev.portcullis.audit.ChainVerifier.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each way of tampering with a written chain is caught, and the first bad record is named. */
class ChainVerifierTest {
  @TempDir Path dataDir;
  Path dir;
  String replica;
  Path segment;
  List<String> lines;

  @BeforeEach
  void writeTenRecords() throws Exception {
    try (AuditLog log = AuditLog.open(dataDir, AuditLog.Options.DEFAULTS, records -> {})) {
      for (int i = 1; i <= 10; i++) {
        log.record(AuditLogTest.decision("req-" + i));
      }
    }
    dir = AuditFiles.directory(dataDir);
    replica = AuditFiles.replicaId(dir);
    segment = AuditFiles.segments(dir, replica).getFirst();
    lines = new ArrayList<>(Files.readAllLines(segment, StandardCharsets.UTF_8));
    assertThat(lines).hasSize(10);
  }

  Result verify(Anchor end) throws Exception {
    return ChainVerifier.verifyFiles(dir, replica, Anchor.START, end);
  }

  void rewrite() throws Exception {
    Files.writeString(segment, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }

  @Test
  void anUntouchedChainIsIntact() throws Exception {
    Result r = verify(null);
    assertThat(r.ok()).as(r.message()).isTrue();
    assertThat(r.records()).isEqualTo(10);
    assertThat(r.last().seq()).isEqualTo(10);
  }

  @Test
  void anEditedRecordIsNamed() throws Exception {
    lines.set(4, lines.get(4).replace("\"decision\":\"allow\"", "\"decision\":\"deny\""));
    rewrite();
    Result r = verify(null);
    assertThat(r.problem()).isEqualTo(Problem.EDITED);
    assertThat(r.seq()).isEqualTo(5);
  }

  @Test
  void anEditedAndResealedRecordIsNamedByTheNextOne() throws Exception {
    AuditRecord original = AuditRecord.parse(lines.get(4));
    AuditEvent forged = AuditLogTest.decision("forged");
    lines.set(4, AuditRecord.seal(5, original.prev(), forged).line());
    rewrite();
    Result r = verify(null);
    assertThat(r.problem()).isEqualTo(Problem.EDITED);
    assertThat(r.seq()).isEqualTo(5);
  }

  @Test
  void aGarbledLineIsAnEdit() throws Exception {
    lines.set(2, "not json at all");
    rewrite();
    Result r = verify(null);
    assertThat(r.problem()).isEqualTo(Problem.EDITED);
    assertThat(r.seq()).isEqualTo(3);
  }

  @Test
  void aRemovedRecordIsNamed() throws Exception {
    lines.remove(6);
    rewrite();
    Result r = verify(null);
    assertThat(r.problem()).isEqualTo(Problem.REMOVED);
    assertThat(r.seq()).isEqualTo(7);
  }

  @Test
  void removingTheFirstRecordIsCaught() throws Exception {
    lines.removeFirst();
    rewrite();
    Result r = verify(null);
    assertThat(r.problem()).isEqualTo(Problem.REMOVED);
    assertThat(r.seq()).isEqualTo(1);
  }

  @Test
  void swappedRecordsAreReordered() throws Exception {
    Collections.swap(lines, 3, 4);
    rewrite();
    Result r = verify(null);
    assertThat(r.problem()).isEqualTo(Problem.REORDERED);
    assertThat(r.seq()).isEqualTo(4);
  }

  @Test
  void aRecordMovedEarlierIsReordered() throws Exception {
    String nine = lines.remove(8);
    lines.add(2, nine);
    rewrite();
    Result r = verify(null);
    assertThat(r.problem()).isEqualTo(Problem.REORDERED);
    assertThat(r.seq()).isEqualTo(3);
  }

  @Test
  void aTruncatedTailIsCaughtAgainstTheKnownEnd() throws Exception {
    Anchor end = verify(null).last();
    lines = new ArrayList<>(lines.subList(0, 7));
    rewrite();
    assertThat(verify(null).ok()).isTrue(); // the file alone cannot know it had more
    Result r = verify(end);
    assertThat(r.problem()).isEqualTo(Problem.TRUNCATED);
    assertThat(r.seq()).isEqualTo(8);
  }

  @Test
  void aFileCutMidLineIsTruncated() throws Exception {
    String text = Files.readString(segment, StandardCharsets.UTF_8);
    Files.writeString(segment, text.substring(0, text.length() - 30), StandardCharsets.UTF_8);
    Result r = verify(null);
    assertThat(r.problem()).isEqualTo(Problem.TRUNCATED);
    assertThat(r.seq()).isEqualTo(10);
  }

  @Test
  void aRemovedSegmentIsCaught() throws Exception {
    AuditLog.Options small = new AuditLog.Options(1024, 50, 1);
    try (AuditLog log = AuditLog.open(dataDir, small, records -> {})) {
      for (int i = 0; i < 3; i++) {
        log.record(AuditLogTest.decision("more-" + i));
        log.sync();
      }
    }
    List<Path> segments = AuditFiles.segments(dir, replica);
    assertThat(verify(null).ok()).isTrue();
    Files.delete(segments.get(1));
    Result r = verify(null);
    assertThat(r.problem()).isEqualTo(Problem.REMOVED);
  }

  @Test
  void aPurgedChainVerifiesFromItsAnchor() throws Exception {
    AuditRecord fourth = AuditRecord.parse(lines.get(3));
    lines = new ArrayList<>(lines.subList(4, 10));
    rewrite();
    assertThat(verify(null).problem()).isEqualTo(Problem.REMOVED);
    Result r = ChainVerifier.verifyFiles(dir, replica, new Anchor(4, fourth.hash()), null);
    assertThat(r.ok()).as(r.message()).isTrue();
    assertThat(r.records()).isEqualTo(6);
  }
}
