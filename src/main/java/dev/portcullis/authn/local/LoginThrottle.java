package dev.portcullis.authn.local;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts failed password attempts per account name (existing or not, so that lockout does not reveal
 * which accounts exist) and per client address, over a sliding window.
 */
public final class LoginThrottle {
  private final int perAccount;
  private final int perClient;
  private final Cache<String, AtomicInteger> accounts;
  private final Cache<String, AtomicInteger> clients;

  public LoginThrottle(int perAccount, int perClient, Duration window, Ticker ticker) {
    this.perAccount = perAccount;
    this.perClient = perClient;
    this.accounts = Caffeine.newBuilder().expireAfterWrite(window).maximumSize(100_000).ticker(ticker).build();
    this.clients = Caffeine.newBuilder().expireAfterWrite(window).maximumSize(100_000).ticker(ticker).build();
  }

  public boolean accountBlocked(String email) {
    AtomicInteger n = accounts.getIfPresent(email);
    return n != null && n.get() >= perAccount;
  }

  public boolean clientBlocked(String clientIp) {
    AtomicInteger n = clients.getIfPresent(clientIp);
    return n != null && n.get() >= perClient;
  }

  public void failed(String email, String clientIp) {
    accounts.asMap().compute(email, (k, v) -> v == null ? new AtomicInteger(1) : new AtomicInteger(v.get() + 1));
    clients.asMap().compute(clientIp, (k, v) -> v == null ? new AtomicInteger(1) : new AtomicInteger(v.get() + 1));
  }

  public void succeeded(String email) {
    accounts.invalidate(email);
  }
}
