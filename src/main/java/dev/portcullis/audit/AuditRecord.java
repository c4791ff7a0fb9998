package dev.portcullis.audit;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * One sealed line of the audit chain: {@code {"seq":N,"prev":H,...event...,"hash":H'}}.
 *
 * <p>The hash is SHA-256 over the exact UTF-8 bytes of the line without its trailing
 * {@code ,"hash":"..."} member (that is, the canonical JSON of seq, prev and the event, closed with
 * {@code }}). Hashing the bytes as written, not a re-encoding of parsed JSON, keeps verification
 * independent of any JSON library's formatting choices.
 *
 * @param seq the record's position in its replica's chain, from 1, no gaps
 * @param prev the hash of record seq-1 ({@link #GENESIS} for seq 1)
 * @param hash this record's hash
 * @param line the whole line, without the newline
 * @param sealedFrom the event this process sealed into the line (so the store copy need not parse it
 *     back); null for a line read from a file or the store
 */
public record AuditRecord(long seq, String prev, String hash, String line, AuditEvent sealedFrom) {
  public AuditRecord(long seq, String prev, String hash, String line) {
    this(seq, prev, hash, line, null);
  }

  /** The prev of the first record of a chain. */
  public static final String GENESIS = "0".repeat(64);

  private static final Pattern TAIL = Pattern.compile(",\"hash\":\"([0-9a-f]{64})\"}$");
  private static final int TAIL_LENGTH = ",\"hash\":\"\"}".length() + 64;

  /** Seals an event as record seq after prev. */
  public static AuditRecord seal(long seq, String prev, AuditEvent event) {
    StringBuilder body = new StringBuilder(512);
    body.append("{\"seq\":").append(seq).append(",\"prev\":");
    Json.string(body, prev);
    event.appendFields(body);
    body.append('}');
    String bodyText = body.toString();
    String hash = sha256(bodyText);
    body.setLength(body.length() - 1);
    String line = body.append(",\"hash\":\"").append(hash).append("\"}").toString();
    return new AuditRecord(seq, prev, hash, line, event);
  }

  /**
   * Reads a line as written. Throws {@link MalformedRecordException} when it is not a sealed record
   * at all; a record whose content no longer matches its hash is returned, and {@link #intact()} says so.
   */
  public static AuditRecord parse(String line) {
    if (line.length() < TAIL_LENGTH + 2 || !TAIL.matcher(line).find()) {
      throw new MalformedRecordException("no hash at the end of the line");
    }
    JsonObject o;
    try {
      o = new JsonObject(line);
    } catch (DecodeException e) {
      throw new MalformedRecordException("not JSON: " + e.getMessage());
    }
    Long seq = o.getLong("seq");
    String prev = o.getString("prev");
    String hash = o.getString("hash");
    if (seq == null || prev == null || hash == null) {
      throw new MalformedRecordException("seq, prev or hash missing");
    }
    return new AuditRecord(seq, prev, hash, line);
  }

  /** Whether the line's content still hashes to the hash it carries. */
  public boolean intact() {
    String tail = line.substring(line.length() - TAIL_LENGTH);
    if (!tail.equals(",\"hash\":\"" + hash + "\"}")) {
      return false;
    }
    return sha256(line.substring(0, line.length() - TAIL_LENGTH) + "}").equals(hash);
  }

  public JsonObject json() {
    return new JsonObject(line);
  }

  public AuditEvent event() {
    return sealedFrom != null ? sealedFrom : AuditEvent.fromJson(json());
  }

  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  static String sha256(String text) {
    MessageDigest md = SHA_256.get();
    md.reset();
    return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** A line that is not a sealed audit record. */
  public static final class MalformedRecordException extends RuntimeException {
    MalformedRecordException(String message) {
      super(message);
    }
  }
}
