package dev.portcullis.directory;

import dev.portcullis.service.Etags;
import java.time.Instant;
import java.util.Optional;

/** A workload identity: {@code ACCOUNT_ID@PROJECT.iam.portcullis.internal} (see {@link ServiceAccountName}). */
public record ServiceAccount(
    String email,
    String project,
    Optional<String> displayName,
    Optional<String> description,
    boolean disabled,
    long version,
    Instant createTime,
    Instant updateTime) {

  public String accountId() {
    return email.substring(0, email.indexOf('@'));
  }

  /** The resource name as Google writes it: projects/PROJECT/serviceAccounts/EMAIL. */
  public String resourceName() {
    return "projects/" + project + "/serviceAccounts/" + email;
  }

  public String etag() {
    return Etags.of(version);
  }

  public MemberName member() {
    return MemberName.serviceAccount(email);
  }
}
