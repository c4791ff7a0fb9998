package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The sealed line is the event's JSON (as toJson gives it), whatever the strings hold, and verifies. */
class AuditRecordTest {
  @Test
  void sealedLine_isTheEventsJson_withAwkwardStrings() {
    AuditEvent decision = AuditEvent.decision(Instant.parse("2026-11-23T10:00:00.123456Z"), "rid",
        new AuditEvent.Principal("zoë@example.com", "sub\"1", null, "user"), "10.0.0.1",
        "agent \\ with \"quotes\"\n\ttabs \u0001 and \u2028, a lone \ud800 and \udc00 surrogate", "dash", "GET",
        "dash.example.com", "/p?q=\u00e9\ud83d\ude00\u4e2d",
        AuditEvent.Outcome.DENY, "no binding: </script>", 42);
    AuditEvent admin = AuditEvent.admin(Instant.parse("2026-11-23T10:00:01Z"), null,
        new AuditEvent.Principal(null, "bootstrap admin token", "admin-token", "breakGlass"), "127.0.0.1",
        "group.member.add", "groups/eng@example.com", null,
        new JsonObject().put("members", new io.vertx.core.json.JsonArray()),
        new JsonObject().put("members", new io.vertx.core.json.JsonArray().add("user:a@example.com")));
    for (AuditEvent e : new AuditEvent[] {decision, admin}) {
      AuditRecord r = AuditRecord.seal(7, AuditRecord.GENESIS, e);
      JsonObject line = new JsonObject(r.line());
      assertThat(line.getLong("seq")).isEqualTo(7);
      assertThat(line.getString("prev")).isEqualTo(AuditRecord.GENESIS);
      line.remove("seq");
      line.remove("prev");
      line.remove("hash");
      assertThat(line).isEqualTo(e.toJson());
      // Read back from the line alone (as from a file), it is the same record and still intact.
      AuditRecord read = AuditRecord.parse(r.line());
      assertThat(read.intact()).isTrue();
      assertThat(read.event()).isEqualTo(e);
      assertThat(r.line()).doesNotContain("\n");
      // The line's bytes are exactly its UTF-8 (nothing replaced by '?'), so the file and the store agree.
      assertThat(new String(r.line().getBytes(java.nio.charset.StandardCharsets.UTF_8),
          java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(r.line());
    }
  }

  @Test
  void theWritersInPlaceSealMakesTheSameLinesAndChain() {
    AuditRecord.Sealer sealer = new AuditRecord.Sealer();
    Json out = new Json();
    byte[] prev = AuditRecord.GENESIS.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    String expectedPrev = AuditRecord.GENESIS;
    for (int i = 1; i <= 200; i++) {
      AuditEvent e = AuditStoreTest.mixed(i);
      // The fields as the recording thread encodes them, somewhere in the middle of its chunk.
      byte[] fields = AuditRecord.fields(e);
      byte[] chunk = new byte[fields.length + 40];
      System.arraycopy(fields, 0, chunk, 17, fields.length);
      out.reset();
      out.ascii("earlier lines\n");
      int start = out.size();
      sealer.seal(out, i * 1_000_003L, prev, chunk, 17, fields.length);
      AuditRecord expected = AuditRecord.seal(i * 1_000_003L, expectedPrev, e);
      String line = new String(out.buffer(), start, out.size() - start, java.nio.charset.StandardCharsets.UTF_8);
      assertThat(line).isEqualTo(expected.line());
      assertThat(new String(prev, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo(expected.hash());
      assertThat(AuditRecord.hashOf(out.buffer(), out.size())).isEqualTo(expected.hash());
      expectedPrev = expected.hash();
    }
  }

  @Test
  void timesAreWrittenExactlyAsInstantToStringWritesThem() {
    long[] seconds = {0, 1, 59, 1_795_457_741L, -1, -62_135_596_800L, 253_402_300_799L, 253_402_300_800L,
        -62_167_219_201L};
    int[] nanos = {0, 1, 100, 1_000, 1_000_000, 10_000_000, 123_000_000, 123_456_000, 123_456_789, 999_999_999};
    java.util.List<Instant> instants = new java.util.ArrayList<>();
    for (long second : seconds) {
      for (int nano : nanos) {
        instants.add(Instant.ofEpochSecond(second, nano));
      }
    }
    java.util.Random random = new java.util.Random(11);
    for (int i = 0; i < 10_000; i++) {
      instants.add(Instant.ofEpochSecond(1_700_000_000L + random.nextInt(100), random.nextInt(1_000_000_000)));
    }
    Json json = new Json();
    for (Instant t : instants) {
      for (int twice = 0; twice < 2; twice++) { // the second time from the cached second
        assertThat(json.instant(t).toString()).isEqualTo(t.toString());
        json.reset();
      }
    }
  }
}
