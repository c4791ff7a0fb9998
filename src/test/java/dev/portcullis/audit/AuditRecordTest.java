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
        "agent \\ with \"quotes\"\n\ttabs \u0001 and \u2028", "dash", "GET", "dash.example.com", "/p?q=\u00e9",
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
    }
  }
}
