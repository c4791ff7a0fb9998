package dev.portcullis.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a request to stop, handled by the main thread. The JVM's own handling
 * (shutdown hooks) would end the process with status 143 whatever the drain did; a service manager reads
 * that as a failure. A second signal while draining stops at once.
 */
final class StopSignal {
  private static final Logger log = LoggerFactory.getLogger(StopSignal.class);

  private final CountDownLatch requested = new CountDownLatch(1);
  private final AtomicInteger received = new AtomicInteger();
  private volatile boolean installed;

  /** Installs the handlers; false when the platform refuses them, and the caller falls back to a shutdown hook. */
  boolean install() {
    try {
      for (String name : new String[] {"TERM", "INT"}) {
        Signal.handle(new Signal(name), this::onSignal);
      }
      installed = true;
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      log.debug("signal handlers not available: {}", e.toString());
      installed = false;
    }
    return installed;
  }

  private void onSignal(Signal signal) {
    if (received.incrementAndGet() > 1) {
      System.err.println("portcullis: second SIG" + signal.getName() + "; stopping without waiting");
      Runtime.getRuntime().halt(128 + signal.getNumber());
    }
    requested.countDown();
  }

  /** Waits for a signal; returns false when interrupted. */
  boolean await() {
    try {
      requested.await();
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
