package dev.portcullis.service;

import java.time.Duration;
import java.util.Optional;

/** Per-service upstream timeouts; an empty one falls back to the process-wide default. */
public record Timeouts(Optional<Duration> connect, Optional<Duration> response, Optional<Duration> idle) {
  public static final Timeouts DEFAULTS = new Timeouts(Optional.empty(), Optional.empty(), Optional.empty());
}
