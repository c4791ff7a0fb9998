package dev.portcullis.directory;

import dev.portcullis.service.Etags;
import java.time.Instant;
import java.util.Optional;

/** A group as stored, without its members. The version covers the group's fields and its direct members. */
public record Group(
    String email,
    Optional<String> displayName,
    Optional<String> description,
    long version,
    Instant createTime,
    Instant updateTime) {

  public String etag() {
    return Etags.of(version);
  }

  public MemberName member() {
    return MemberName.group(email);
  }
}
