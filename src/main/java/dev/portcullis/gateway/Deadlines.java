package dev.portcullis.gateway;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The response and idle deadlines of the exchanges on one event loop, checked by one periodic sweep instead
 * of a Vert.x timer each. A Vert.x timer costs a shared id counter, a shared map entry, a close hook and a
 * scheduled task to set and as much again to cancel, and nearly every exchange ends long before its
 * deadline; here an exchange joins and leaves a linked list, with no allocation. A deadline fires at most
 * one tick late. The sweep runs only while the loop has exchanges with a deadline.
 *
 * <p>Everything happens on the event loop thread that owns the instance, so nothing is locked.
 */
final class Deadlines {
  static final long TICK_MILLIS = 50;
  private static final ThreadLocal<Deadlines> LOCAL = new ThreadLocal<>();

  /** An exchange with a deadline, in System.nanoTime(). */
  abstract static class Entry {
    private Entry prev;
    private Entry next;
    long deadline;

    /** Called from the sweep when the deadline has passed; may {@link Deadlines#remove} this entry. */
    abstract void expired(long now);

    boolean scheduled() {
      return next != null;
    }
  }

  private final Vertx vertx;
  private final Entry head = new Entry() {
    @Override
    void expired(long now) {}
  };
  private final List<Entry> due = new ArrayList<>();
  private long timer = -1;

  private Deadlines(Vertx vertx) {
    this.vertx = vertx;
    head.prev = head;
    head.next = head;
  }

  /** The instance of the calling event loop thread. */
  static Deadlines current(Vertx vertx) {
    Deadlines d = LOCAL.get();
    if (d == null || d.vertx != vertx) {
      d = new Deadlines(vertx);
      LOCAL.set(d);
    }
    return d;
  }

  void add(Entry e) {
    if (e.scheduled()) {
      return;
    }
    Entry last = head.prev;
    e.prev = last;
    e.next = head;
    last.next = e;
    head.prev = e;
    if (timer < 0) {
      timer = vertx.setPeriodic(TICK_MILLIS, id -> sweep());
    }
  }

  void remove(Entry e) {
    if (!e.scheduled()) {
      return;
    }
    e.prev.next = e.next;
    e.next.prev = e.prev;
    e.prev = null;
    e.next = null;
  }

  private void sweep() {
    if (head.next == head) {
      vertx.cancelTimer(timer);
      timer = -1;
      return;
    }
    long now = System.nanoTime();
    for (Entry e = head.next; e != head; e = e.next) {
      if (now - e.deadline >= 0) {
        due.add(e);
      }
    }
    // Fired after the walk: what an expiry sets off may end other exchanges and change the list.
    try {
      for (Entry e : due) {
        if (e.scheduled() && now - e.deadline >= 0) {
          e.expired(now);
        }
      }
    } finally {
      due.clear();
    }
  }

  static long nanos(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }
}
