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
 * @param sealedFrom the event the line holds when it is already at hand (sealed by this process, or
 *     decoded by {@link #read}), so it need not be parsed again; null otherwise
 * @param at where the line sits in its replica's files, when known (written by this process's log, or
 *     read from a file); null otherwise
 */
public record AuditRecord(long seq, String prev, String hash, String line, AuditEvent sealedFrom, Position at) {
  public AuditRecord(long seq, String prev, String hash, String line) {
    this(seq, prev, hash, line, null, null);
  }

  public AuditRecord(long seq, String prev, String hash, String line, AuditEvent sealedFrom) {
    this(seq, prev, hash, line, sealedFrom, null);
  }

  /**
   * A line's place in a replica's audit files: the segment (named by its first seq), the byte offset of
   * the line in it, and its length in bytes with the newline.
   */
  public record Position(long segment, long offset, int length) {}

  /** This record, at a position. */
  public AuditRecord at(Position position) {
    return new AuditRecord(seq, prev, hash, line, sealedFrom, position);
  }

  /** The prev of the first record of a chain. */
  public static final String GENESIS = "0".repeat(64);

  private static final Pattern TAIL = Pattern.compile(",\"hash\":\"([0-9a-f]{64})\"}$");
  private static final int TAIL_LENGTH = ",\"hash\":\"\"}".length() + 64;

  /** Seals an event as record seq after prev. */
  public static AuditRecord seal(long seq, String prev, AuditEvent event) {
    return seal(seq, prev, event, LINE.get());
  }

  /** Seals an event as record seq after prev, from its fields as {@link #fields} encoded them. */
  public static AuditRecord seal(long seq, String prev, AuditEvent event, byte[] fields) {
    return seal(seq, prev, event, fields, LINE.get());
  }

  /**
   * Seals into a caller's buffer, which then holds the line's UTF-8 bytes (without the newline) until it
   * is used again: the writer copies them to the file from there.
   */
  static AuditRecord seal(long seq, String prev, AuditEvent event, Json out) {
    head(out, seq, prev);
    event.appendFields(out);
    return close(seq, prev, event, out);
  }

  /**
   * As above, from the event's fields already encoded by {@link #fields} (on the thread that recorded
   * the event), sealed as the writer seals them ({@link Sealer}); prev must be a hash (64 lowercase hex
   * digits). The line is the same.
   */
  static AuditRecord seal(long seq, String prev, AuditEvent event, byte[] fields, Json out) {
    if (prev.length() != 64 || !isHex(prev)) {
      throw new IllegalArgumentException("prev must be a hash, 64 lowercase hex digits: " + prev);
    }
    byte[] chain = prev.getBytes(StandardCharsets.ISO_8859_1);
    out.reset();
    SEALER.get().seal(out, seq, chain, fields, 0, fields.length);
    return new AuditRecord(seq, prev, new String(chain, StandardCharsets.ISO_8859_1), out.toString(), event);
  }

  private static final ThreadLocal<Sealer> SEALER = ThreadLocal.withInitial(Sealer::new);

  /**
   * The event's fields as the line holds them, each {@code ,"name":value}, in UTF-8: what
   * {@link #seal(long, String, AuditEvent, byte[], Json)} puts after seq and prev.
   */
  public static byte[] fields(AuditEvent event) {
    Json out = FIELDS.get();
    out.reset();
    event.appendFields(out);
    return out.toBytes();
  }

  /** Where a sealed line's hash starts, counted back from the line's end: {@code <64 hex>"}}. */
  static final int HASH_FROM_END = 66;

  /**
   * Seals encoded events into the chain in place, for the writer: each line is written at the end of the
   * buffer the writer appends to the file, hashed there, and its hash becomes the next line's prev, with
   * no String or record made per event. The lines are those {@link #seal} makes. One per thread.
   */
  static final class Sealer {
    private final MessageDigest md = newSha256();
    private final byte[] digest = new byte[32];

    /**
     * Appends record seq (without a newline) to out, sealed after prev, which holds the previous hash as
     * 64 lowercase hex digits, and replaces prev with this record's hash. Its fields are {@code length}
     * bytes of {@code fields} from {@code from}, as {@link #fields} encodes them.
     */
    void seal(Json out, long seq, byte[] prev, byte[] fields, int from, int length) {
      int start = out.size();
      out.ascii("{\"seq\":").number(seq).ascii(",\"prev\":\"").bytes(prev).raw('"').bytes(fields, from, length)
          .raw('}');
      md.update(out.buffer(), start, out.size() - start);
      try {
        md.digest(digest, 0, digest.length);
      } catch (java.security.DigestException e) {
        throw new IllegalStateException(e);
      }
      out.cut(1);
      out.ascii(",\"hash\":\"");
      int hashAt = out.size();
      out.hex(digest).ascii("\"}");
      System.arraycopy(out.buffer(), hashAt, prev, 0, 64);
    }
  }

  /** The hash of a sealed line held in buf from start to end (without the newline). */
  static String hashOf(byte[] buf, int end) {
    return new String(buf, end - HASH_FROM_END, 64, StandardCharsets.ISO_8859_1);
  }

  private static void head(Json out, long seq, String prev) {
    out.reset();
    out.ascii("{\"seq\":").number(seq).ascii(",\"prev\":");
    if (isHex(prev)) {
      out.raw('"').ascii(prev).raw('"'); // always, in practice: a hash this class wrote or read back
    } else {
      out.string(prev);
    }
  }

  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
        return false;
      }
    }
    return true;
  }

  private static AuditRecord close(long seq, String prev, AuditEvent event, Json out) {
    out.raw('}');
    MessageDigest md = SHA_256.get();
    md.reset();
    md.update(out.buffer(), 0, out.size());
    out.cut(1);
    out.ascii(",\"hash\":\"");
    int hashAt = out.size();
    out.hex(md.digest()).ascii("\"}");
    String hash = new String(out.buffer(), hashAt, 64, StandardCharsets.ISO_8859_1);
    return new AuditRecord(seq, prev, hash, out.toString(), event);
  }

  private static final ThreadLocal<Json> LINE = ThreadLocal.withInitial(Json::new);
  private static final ThreadLocal<Json> FIELDS = ThreadLocal.withInitial(Json::new);

  /**
   * Reads a line as written. Throws {@link MalformedRecordException} when it is not a sealed record
   * at all; a record whose content no longer matches its hash is returned, and {@link #intact()} says so.
   */
  public static AuditRecord parse(String line) {
    JsonObject o = decode(line);
    return new AuditRecord(o.getLong("seq"), o.getString("prev"), o.getString("hash"), line);
  }

  private static JsonObject decode(String line) {
    if (line.length() < TAIL_LENGTH + 2 || !TAIL.matcher(line).find()) {
      throw new MalformedRecordException("no hash at the end of the line");
    }
    JsonObject o;
    try {
      o = new JsonObject(line);
    } catch (DecodeException | ClassCastException e) {
      throw new MalformedRecordException("not JSON: " + e.getMessage());
    }
    try {
      if (o.getLong("seq") == null || o.getString("prev") == null || o.getString("hash") == null) {
        throw new MalformedRecordException("seq, prev or hash missing");
      }
    } catch (ClassCastException e) {
      throw new MalformedRecordException("seq, prev or hash of the wrong type");
    }
    return o;
  }

  /**
   * As {@link #parse}, with the event decoded from the same parse (for readers that look at the
   * event's fields, such as queries).
   */
  public static AuditRecord read(String line) {
    JsonObject o = decode(line);
    AuditEvent event;
    try {
      event = AuditEvent.fromJson(o);
    } catch (RuntimeException e) {
      throw new MalformedRecordException("not an audit event: " + e.getMessage());
    }
    return new AuditRecord(o.getLong("seq"), o.getString("prev"), o.getString("hash"), line, event);
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

  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(AuditRecord::newSha256);

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

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
