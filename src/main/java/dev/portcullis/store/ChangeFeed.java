package dev.portcullis.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What other replicas wrote, as PostgreSQL tells it (LISTEN on {@value #CHANNEL}, fed by the triggers of
 * db/vendor/postgresql). One thread holds one connection of its own and hands each batch of
 * notifications to the listener, names gathered so a burst of writes costs one rebuild.
 *
 * <p>The feed is trusted only while its connection is up and was listening before the last full resync:
 * on every (re)connect it first LISTENs, then asks the listener to reload everything, and only then
 * counts as in sync. Whatever was written while it was away is read by that reload; whatever is written
 * during it arrives as a notification afterwards. A lost connection is retried with a growing pause
 * (250 ms doubling to 5 s, with jitter). A connection that stays silent is checked every few seconds.
 */
public final class ChangeFeed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
  public static final String CHANNEL = "portcullis_changes";
  private static final String SESSION_PREFIX = "sessions:";
  private static final int POLL_MILLIS = 500;
  private static final long HEARTBEAT_NANOS = 3_000_000_000L;
  private static final long FIRST_PAUSE_MILLIS = 250;
  private static final long LONGEST_PAUSE_MILLIS = 5_000;

  /** What the replica does with the feed. Called on the feed's thread; may block on the store. */
  public interface Listener {
    /** Reload everything held in memory from the store; throw if that fails. */
    void resync();

    /** These tables changed: rebuild what they feed. */
    void changed(Set<String> tables);

    /** These sessions (by the hash of their cookie) were revoked. */
    void sessionsRevoked(List<String> idHashes);
  }

  public enum State {
    /** Not connected: the store is unreachable or the connection was lost; retrying. */
    CONNECTING,
    /** Listening again, reloading everything; not yet trusted. */
    RESYNCING,
    /** Listening, and everything in memory was reloaded since: a change elsewhere arrives here. */
    IN_SYNC,
    CLOSED
  }

  private final Database db;
  private final Listener listener;
  private final Thread thread;
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicLong notifications = new AtomicLong();
  private volatile State state = State.CONNECTING;
  /** When the feed last stopped being in sync (nanoTime), or 0 while in sync. */
  private volatile long outOfSyncSince = System.nanoTime();
  private volatile Connection connection;

  private ChangeFeed(Database db, Listener listener) {
    this.db = db;
    this.listener = listener;
    this.thread = Thread.ofPlatform().name("portcullis-change-feed").daemon(true).unstarted(this::run);
  }

  /** Starts listening on a thread of its own; the first resync follows the first connection. */
  public static ChangeFeed start(Database db, Listener listener) {
    ChangeFeed feed = new ChangeFeed(db, listener);
    feed.thread.start();
    return feed;
  }

  public State state() {
    return state;
  }

  /** How long the feed has not been in sync, in milliseconds; 0 while it is. */
  public long outOfSyncMillis() {
    long since = outOfSyncSince;
    return state == State.IN_SYNC ? 0 : (System.nanoTime() - since) / 1_000_000;
  }

  /** Connections lost and made again since the start. */
  public long reconnects() {
    return reconnects.get();
  }

  public long notifications() {
    return notifications.get();
  }

  private void run() {
    long pause = FIRST_PAUSE_MILLIS;
    while (state != State.CLOSED) {
      try (Connection c = db.dedicatedConnection()) {
        connection = c;
        listen(c);
        setState(State.RESYNCING);
        listener.resync();
        setState(State.IN_SYNC);
        log.info("change feed: in sync");
        pause = FIRST_PAUSE_MILLIS;
        receive(c);
      } catch (SQLException | RuntimeException e) {
        if (state == State.CLOSED) {
          break;
        }
        boolean wasInSync = state == State.IN_SYNC;
        setState(State.CONNECTING);
        if (wasInSync) {
          reconnects.incrementAndGet();
          log.warn("change feed: lost the store ({}); serving from the last snapshot, reconnecting",
              e.getMessage());
        } else {
          log.warn("change feed: cannot reach the store or resync ({}); retrying in {} ms", e.getMessage(), pause);
        }
      } finally {
        connection = null;
      }
      if (state == State.CLOSED) {
        break;
      }
      sleep(pause + ThreadLocalRandom.current().nextLong(pause / 4 + 1));
      pause = Math.min(pause * 2, LONGEST_PAUSE_MILLIS);
    }
  }

  private static void listen(Connection c) throws SQLException {
    c.setAutoCommit(true);
    try (Statement st = c.createStatement()) {
      st.execute("LISTEN " + CHANNEL);
    }
  }

  private void receive(Connection c) throws SQLException {
    PGConnection pg = c.unwrap(PGConnection.class);
    long lastHeard = System.nanoTime();
    while (state != State.CLOSED) {
      PGNotification[] batch = pg.getNotifications(POLL_MILLIS);
      if (batch != null && batch.length > 0) {
        lastHeard = System.nanoTime();
        dispatch(batch);
      } else if (System.nanoTime() - lastHeard > HEARTBEAT_NANOS) {
        // A silent connection may be a dead one (a network cut closes no socket): ask the server.
        try (Statement st = c.createStatement()) {
          st.setQueryTimeout(5);
          st.execute("SELECT 1");
        }
        lastHeard = System.nanoTime();
      }
    }
  }

  private void dispatch(PGNotification[] batch) {
    Set<String> tables = new LinkedHashSet<>();
    List<String> sessions = new ArrayList<>();
    for (PGNotification n : batch) {
      if (!CHANNEL.equals(n.getName())) {
        continue;
      }
      notifications.incrementAndGet();
      String payload = n.getParameter();
      if (payload.startsWith(SESSION_PREFIX)) {
        sessions.add(payload.substring(SESSION_PREFIX.length()));
      } else {
        tables.add(payload);
      }
    }
    if (!sessions.isEmpty()) {
      listener.sessionsRevoked(sessions);
    }
    if (!tables.isEmpty()) {
      listener.changed(tables);
    }
  }

  private void setState(State next) {
    if (next == State.IN_SYNC) {
      state = next;
      return;
    }
    if (state == State.IN_SYNC) {
      outOfSyncSince = System.nanoTime();
    }
    state = next;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    state = State.CLOSED;
    thread.interrupt();
    Connection c = connection;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        log.debug("change feed: closing its connection: {}", e.getMessage());
      }
    }
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
