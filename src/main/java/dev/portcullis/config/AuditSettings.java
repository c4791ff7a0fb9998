package dev.portcullis.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How access decisions and admin changes are audited.
 *
 * @param enabled false turns auditing off entirely (for benchmarks and throw-away setups; never in production)
 * @param includeQuery whether decision events keep the request's query string (it can hold secrets, so off by
 *     default)
 * @param retentionDays events older than this are purged from the store and the audit files; 0 keeps them
 * @param file a JSON Lines file every committed event is also appended to, for log shippers
 * @param stdout whether every committed event is also written to standard output as one JSON line
 */
public record AuditSettings(boolean enabled, boolean includeQuery, int retentionDays, Optional<Path> file,
    boolean stdout) {
  public static final AuditSettings DEFAULTS = new AuditSettings(true, false, 365, Optional.empty(), false);
}
