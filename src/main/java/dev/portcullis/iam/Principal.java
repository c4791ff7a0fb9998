package dev.portcullis.iam;

/** Who is calling, once authenticated: a person (by email) or a service account. */
public record Principal(Kind kind, String email) {
  public enum Kind { USER, SERVICE_ACCOUNT }

  public static Principal user(String email) {
    return new Principal(Kind.USER, email);
  }

  public static Principal serviceAccount(String email) {
    return new Principal(Kind.SERVICE_ACCOUNT, email);
  }

  /** The member string that names exactly this caller. */
  public String memberKey() {
    return (kind == Kind.USER ? "user:" : "serviceAccount:") + email;
  }

  public String domain() {
    return email.substring(email.indexOf('@') + 1);
  }
}
