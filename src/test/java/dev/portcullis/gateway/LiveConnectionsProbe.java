package dev.portcullis.gateway;

import dev.portcullis.audit.AuditSink;
import dev.portcullis.authn.DisabledUsers;
import dev.portcullis.iam.Authorizer;
import dev.portcullis.iam.Principal;
import dev.portcullis.service.ServiceCatalog;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

/** Opens registrations in a {@link LiveConnections} from outside the package, for the benchmark. */
public final class LiveConnectionsProbe {
  private final LiveConnections live;

  public LiveConnectionsProbe(Authorizer authorizer, Supplier<ServiceCatalog> catalog, DisabledUsers disabled) {
    this.live = new LiveConnections(authorizer, catalog, disabled, AuditSink.NONE, Clock.systemUTC());
  }

  /** A WebSocket held by a bearer caller (no session), never closed by itself. */
  public void open(String service, Principal principal, String host, String path, String clientIp) {
    live.open(new LiveConnections.Holder(service, Optional.of(principal), null, host, path, "GET", clientIp, "bench",
        "0", "websocket", true, null, null), null, reason -> {});
  }

  public int recheck() {
    return live.recheck();
  }

  public int size() {
    return live.size();
  }
}
