package dev.portcullis.testing;

import dev.portcullis.authn.User;
import dev.portcullis.session.Session;
import dev.portcullis.session.Sessions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeUnit;

/**
 * Signs a user in without a browser, as the sign-in host would (a central session and one for a service
 * host), and sends requests through the gateway with the host session's cookie.
 */
public final class SignedInSessions {
  /** A central session carrying this ID token, so tests can check it never leaves the server. */
  public static final String ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.test-id-token-marker.c2lnbmF0dXJl";

  private final TestPortcullis portcullis;
  private final HttpClient client;

  public SignedInSessions(TestPortcullis portcullis, HttpClient client) {
    this.portcullis = portcullis;
    this.client = client;
  }

  /** One sign-in: the central session and the session on {@code service}'s host, with its cookie value. */
  public record SignIn(Sessions.Created central, Sessions.Created host) {
    public String cookie() {
      return host.cookieValue();
    }

    public Session hostSession() {
      return host.session();
    }
  }

  public SignIn signIn(User user, String service) {
    Sessions sessions = portcullis.portcullis().sessions();
    Sessions.Created central = sessions.createCentral(user.identity(), portcullis.portcullis().settings().authHost(),
        ID_TOKEN, "127.0.0.1", "test");
    Sessions.Created host = sessions.createForHost(central.session(),
        service + "." + portcullis.portcullis().settings().domain(), "127.0.0.1", "test").orElseThrow();
    return new SignIn(central, host);
  }

  /**
   * The status of a fetch-style GET to the service with this cookie: 200 when let through, 401 when not.
   * Over a plain socket: a Vert.x client driven from the test thread, off any context, can stall under load.
   */
  public int get(String service, String cookie) throws Exception {
    return RawHttp.send(portcullis.port(), "GET / HTTP/1.1", "Host: " + portcullis.hostOf(service),
        "Accept: application/json", "Cookie: portcullis=" + cookie, "Connection: close").status();
  }
}
