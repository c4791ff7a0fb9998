package dev.portcullis.directory;

import java.util.regex.Pattern;

/**
 * How service accounts are named, after Google's {@code NAME@PROJECT.iam.gserviceaccount.com}: an account id
 * of 6 to 30 lower-case letters, digits and '-' (starting with a letter, not ending with '-') in a project,
 * giving the email {@code ACCOUNT_ID@PROJECT.iam.portcullis.internal}. The top-level domain {@code .internal}
 * is reserved for private use and is never delegated, so no identity provider can vouch for a person with
 * an address in it: a service account's email can never also be someone's sign-in.
 */
public final class ServiceAccountName {
  public static final String DOMAIN_SUFFIX = ".iam.portcullis.internal";
  public static final String ACCOUNT_ID_RULE = "must be 6 to 30 lower-case letters, digits or '-', starting with a "
      + "letter and not ending with '-', e.g. ci-deploy";
  private static final Pattern ACCOUNT_ID = Pattern.compile("[a-z][a-z0-9-]{4,28}[a-z0-9]");

  private ServiceAccountName() {}

  public static boolean validAccountId(String accountId) {
    return accountId != null && ACCOUNT_ID.matcher(accountId).matches();
  }

  public static String email(String accountId, String project) {
    return accountId + "@" + project + DOMAIN_SUFFIX;
  }

  /** True for any address under the reserved domain, valid account or not: such addresses name workloads only. */
  public static boolean inReservedDomain(String email) {
    return email.endsWith(DOMAIN_SUFFIX) || email.endsWith("@" + DOMAIN_SUFFIX.substring(1));
  }
}
