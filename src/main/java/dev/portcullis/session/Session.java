package dev.portcullis.session;

import dev.portcullis.authn.Identity;
import java.time.Instant;

/**
 * A server-side session. Central sessions live on the sign-in host ({@code parentHash} null); each
 * service host has its own, whose parent is the central one, so that no cookie is valid on two hosts.
 */
public record Session(
    String idHash,
    String publicId,
    String parentHash,
    String host,
    Identity identity,
    String idToken,
    Instant authTime,
    Instant createTime,
    Instant expireTime,
    Instant lastSeen,
    boolean revoked,
    String clientIp,
    String userAgent) {

  public boolean central() {
    return parentHash == null;
  }

  public Session withLastSeen(Instant t) {
    return new Session(idHash, publicId, parentHash, host, identity, idToken, authTime, createTime, expireTime, t,
        revoked, clientIp, userAgent);
  }
}
