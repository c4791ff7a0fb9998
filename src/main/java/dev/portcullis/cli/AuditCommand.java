package dev.portcullis.cli;

import dev.portcullis.audit.AuditFiles;
import dev.portcullis.audit.AuditRetention;
import dev.portcullis.audit.AuditStore;
import dev.portcullis.audit.ChainVerifier;
import dev.portcullis.store.Database;
import dev.portcullis.store.StoreUrl;
import java.util.Optional;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The audit log: query it, follow it, and verify its hash chains. */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = "Read, follow and verify the audit log of access decisions and admin changes.",
    subcommands = {AuditCommand.Query.class, AuditCommand.Tail.class, AuditCommand.Verify.class})
final class AuditCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final String EVENTS = "/v1/audit/events";
  private static final Map<String, String> FLAGS = Map.of("member", "--member", "service", "--service",
      "decision", "--decision", "kind", "--kind", "since", "--since", "until", "--until", "limit", "--limit");

  /** The filters query and tail share. */
  static final class Filters {
    @Option(names = "--member", paramLabel = "MEMBER", description = "who: user:EMAIL or serviceAccount:EMAIL")
    String member;

    @Option(names = "--service", paramLabel = "NAME", description = "only this service")
    String service;

    @Option(names = "--decision", paramLabel = "allow|deny|error", description = "only this outcome")
    String decision;

    @Option(names = "--kind", paramLabel = "decision|admin",
        description = "decision (gateway access) or admin (changes)")
    String kind;

    @Option(names = "--since", paramLabel = "WHEN", description = "from this time (2026-11-23T10:00:00Z) or this "
        + "long ago (15m, 1h, 7d)")
    String since;

    Map<String, String> params() {
      Map<String, String> p = new LinkedHashMap<>();
      put(p, "member", member);
      put(p, "service", service);
      put(p, "decision", decision);
      put(p, "kind", kind);
      put(p, "since", since);
      return p;
    }

    private static void put(Map<String, String> p, String k, String v) {
      if (v != null && !v.isBlank()) {
        p.put(k, v.trim());
      }
    }
  }

  static String path(Map<String, String> params) {
    StringBuilder sb = new StringBuilder(EVENTS);
    char sep = '?';
    for (Map.Entry<String, String> e : params.entrySet()) {
      sb.append(sep).append(e.getKey()).append('=')
          .append(AdminClient.segment(e.getValue()));
      sep = '&';
    }
    return sb.toString();
  }

  @Command(name = "query", mixinStandardHelpOptions = true,
      description = "Audit events from the store, newest first, e.g. "
          + "'portcullis audit query --member user:ana@example.com --service dash --decision deny --since 1h'.")
  static final class Query implements Runnable {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;
    @CommandLine.ArgGroup(exclusive = false) Filters filters = new Filters();

    @Option(names = "--until", paramLabel = "WHEN", description = "before this time or this long ago")
    String until;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "at most N events (default 100, "
        + "at most 1000)")
    int limit;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default) or json (one event per line)")
    Tables.Format format;

    @Override
    public void run() {
      Map<String, String> p = filters.params();
      if (until != null) {
        p.put("until", until.trim());
      }
      p.put("limit", Integer.toString(limit));
      JsonArray events = admin.client(FLAGS::get).get(path(p)).getJsonArray("events", new JsonArray());
      PrintWriter out = spec.commandLine().getOut();
      if (format == Tables.Format.json) {
        events.forEach(e -> out.println(((JsonObject) e).encode()));
      } else if (events.isEmpty()) {
        out.println("No audit events match.");
      } else {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        events.forEach(e -> rows.add(row((JsonObject) e)));
        Tables.print(rows, out);
      }
      out.flush();
    }
  }

  @Command(name = "tail", mixinStandardHelpOptions = true,
      description = "Follow the audit log: the last few events, then each new one as it is stored. Ctrl-C stops.")
  static final class Tail implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;
    @CommandLine.ArgGroup(exclusive = false) Filters filters = new Filters();

    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "10",
        description = "how many past events to show first (default 10)")
    int lines;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s",
        description = "how often to ask for new events (default 1s)")
    String interval;

    @Option(names = "--max-events", paramLabel = "N", defaultValue = "0",
        description = "stop after printing N events (0: follow until stopped)")
    int maxEvents;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "output: table (default, one line per event) or json (one event per line)")
    Tables.Format format;

    @Override
    public Integer call() throws InterruptedException {
      Duration every = dev.portcullis.config.Durations.parse(interval)
          .filter(d -> !d.isNegative() && !d.isZero())
          .orElseThrow(() -> new CliException("--interval: '" + interval + "' is not a duration such as 500ms or 2s",
              2));
      AdminClient client = admin.client(FLAGS::get);
      PrintWriter out = spec.commandLine().getOut();
      Map<String, String> p = filters.params();
      p.put("limit", Integer.toString(Math.max(1, Math.min(lines, 1000))));
      JsonObject first = client.get(path(p));
      JsonArray past = first.getJsonArray("events", new JsonArray());
      String cursor = first.getString("cursor");
      int printed = 0;
      if (format == Tables.Format.table) {
        out.println(String.join("  ", HEADER));
      }
      // The first answer is newest first: print it oldest first, as a log reads.
      int skip = lines <= 0 ? past.size() : 0;
      for (int i = past.size() - 1 - skip; i >= 0 && !done(printed); i--) {
        print(past.getJsonObject(i), out);
        printed++;
      }
      out.flush();
      p.put("limit", "1000");
      while (!done(printed)) {
        Thread.sleep(every.toMillis());
        Map<String, String> q = new LinkedHashMap<>(p);
        if (cursor != null) {
          q.put("after", cursor);
        }
        JsonObject next = client.get(path(q));
        JsonArray events = next.getJsonArray("events", new JsonArray());
        for (int i = 0; i < events.size() && !done(printed); i++) {
          print(events.getJsonObject(i), out);
          printed++;
        }
        if (next.getString("cursor") != null) {
          cursor = next.getString("cursor");
        }
        out.flush();
      }
      return 0;
    }

    private boolean done(int printed) {
      return maxEvents > 0 && printed >= maxEvents;
    }

    private void print(JsonObject e, PrintWriter out) {
      out.println(format == Tables.Format.json ? e.encode() : String.join("  ", row(e)));
    }
  }

  static final String[] HEADER = {"TIME", "WHO", "KIND", "SERVICE", "WHAT", "OUTCOME", "REASON / CHANGE"};

  static String[] row(JsonObject e) {
    JsonObject who = e.getJsonObject("principal", new JsonObject());
    String name = who.getString("email", who.getString("subject", who.getString("kind", "-")));
    boolean decision = "decision".equals(e.getString("kind"));
    String what = decision ? e.getString("method", "") + " " + e.getString("host", "") + e.getString("path", "")
        : e.getString("action", "") + " " + e.getString("target", "");
    String outcome = decision ? e.getString("decision", "") : "done";
    String detail = decision ? e.getString("reason", "")
        : String.join(", ", e.getJsonObject("change", new JsonObject()).fieldNames());
    return new String[] {Tables.time(e.getString("time")), name, e.getString("kind", ""),
        e.getString("service", "-"), what.trim(), outcome, detail.isEmpty() ? "-" : detail};
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Check every replica's hash chain in the audit files and in the store, and name the first "
          + "record that was edited, removed, reordered or truncated. Exit status 1 when one was.")
  static final class Verify implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "portcullis-data",
        description = "state directory (default ./portcullis-data)")
    Path dataDir;

    @Option(names = "--store", paramLabel = "URL", description = "the store: a SQLite file, sqlite:PATH or "
        + "postgresql://USER:PASSWORD@HOST:5432/DATABASE (default DIR/portcullis.db)")
    String store;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      Path auditDir = AuditFiles.directory(dataDir);
      StoreUrl url;
      try {
        url = store == null ? StoreUrl.parse(Optional.empty(), dataDir)
            : store.contains(":") ? StoreUrl.parse(Optional.of(store), dataDir)
            : new StoreUrl.Sqlite(Path.of(store));
      } catch (IllegalArgumentException e) {
        throw new CliException("--store: " + e.getMessage(), 2);
      }
      boolean ok = true;
      if (url instanceof StoreUrl.Sqlite s && !Files.exists(s.file())) {
        throw new CliException("no store at " + s.file(), 2);
      }
      Database opened;
      try {
        opened = Database.open(url);
      } catch (dev.portcullis.store.StoreException e) {
        throw new CliException(e.getMessage(), 2);
      }
      try (Database db = opened) {
        AuditStore audit = new AuditStore(db, auditDir);
        TreeSet<String> replicas = new TreeSet<>(audit.replicas());
        replicas.addAll(AuditFiles.replicas(auditDir));
        for (String replica : replicas) {
          ChainVerifier.Result stored = audit.verify(replica);
          out.println("store  replica " + replica + ": " + stored.message());
          ok &= stored.ok();
          if (!AuditFiles.segments(auditDir, replica).isEmpty()) {
            // Files are checked from where retention cut them, against the store's last record, which
            // catches a truncated file.
            ChainVerifier.Result files = ChainVerifier.verifyFiles(auditDir, replica,
                AuditRetention.fileAnchor(auditDir, replica), audit.last(replica));
            out.println("files  replica " + replica + ": " + files.message());
            ok &= files.ok();
          }
        }
        if (replicas.isEmpty()) {
          out.println("no audit records");
        }
      }
      out.flush();
      return ok ? 0 : 1;
    }
  }
}
