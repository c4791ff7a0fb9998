package dev.portcullis.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.authn.local.LocalAccounts;
import dev.portcullis.session.Session;
import dev.portcullis.session.Sessions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running Portcullis with two IAP services ({@code dash} and {@code wiki}) and one open service
 * ({@code open}) in front of a recording echo upstream, built-in accounts on demand, and the steps of a
 * password sign-in, for end-to-end sign-in tests.
 */
public final class SignInFixture implements AutoCloseable {
  public static final String PASSWORD = "correct horse battery staple";

  /** What the upstream saw of one request. */
  public record Seen(String host, String uri, String cookie) {}

  private final Upstreams upstreams;
  private final TestPortcullis portcullis;
  private final Path dataDir;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final AtomicInteger accounts = new AtomicInteger();
  private final List<TestBrowser> browsers = new CopyOnWriteArrayList<>();

  private SignInFixture(Upstreams upstreams, TestPortcullis portcullis, Path dataDir) {
    this.upstreams = upstreams;
    this.portcullis = portcullis;
    this.dataDir = dataDir;
  }

  public static SignInFixture start(Path dataDir, Map<String, String> config) throws Exception {
    Upstreams upstreams = new Upstreams();
    TestPortcullis portcullis = TestPortcullis.start(dataDir, config);
    SignInFixture f = new SignInFixture(upstreams, portcullis, dataDir);
    String upstream = upstreams.http(req -> {
      f.seen.add(new Seen(req.getHeader("x-forwarded-host"), req.uri(), req.getHeader("cookie")));
      req.response().putHeader("content-type", "application/json")
          .end(new JsonObject().put("uri", req.uri()).put("method", req.method().name())
              .put("cookies", new JsonArray(req.headers().getAll("cookie"))).encode());
    });
    portcullis.createService("dash", upstream, new JsonObject().put("iap", true));
    portcullis.createService("wiki", upstream, new JsonObject().put("iap", true));
    portcullis.createService("open", upstream, new JsonObject().put("iap", false));
    // These tests are about signing in; who may reach what once signed in is IAM's (see dev.portcullis.iam).
    portcullis.grantAllSignedIn();
    return f;
  }

  public TestPortcullis portcullis() {
    return portcullis;
  }

  public Sessions sessions() {
    return portcullis.portcullis().sessions();
  }

  public LocalAccounts accounts() {
    return portcullis.portcullis().accounts().orElseThrow();
  }

  public TestBrowser browser() {
    TestBrowser b = new TestBrowser();
    browsers.add(b);
    return b;
  }

  /** host:port of a service, e.g. dash.localhost:40123. */
  public String authority(String service) {
    return portcullis.hostOf(service);
  }

  public String url(String service, String pathAndQuery) {
    return "http://" + authority(service) + pathAndQuery;
  }

  public String authAuthority() {
    return portcullis.portcullis().settings().authHost() + ":" + portcullis.port();
  }

  public String authUrl(String pathAndQuery) {
    return "http://" + authAuthority() + pathAndQuery;
  }

  /** A new built-in account with {@link #PASSWORD}; returns its email. */
  public String newAccount() {
    String email = "user" + accounts.incrementAndGet() + "@example.com";
    accounts().create(email, Optional.empty(), PASSWORD);
    return email;
  }

  /** Every request the upstream has seen so far. */
  public List<Seen> seen() {
    return List.copyOf(seen);
  }

  /** True when the upstream ever saw a request whose target starts with this text. */
  public boolean upstreamSaw(String uriPrefix) {
    return seen.stream().anyMatch(s -> s.uri().startsWith(uriPrefix));
  }

  /** Live sessions of a user, from the store. */
  public List<Session> sessionsOf(String email) {
    return sessions().list(Optional.of(email));
  }

  /** The key that signs sign-in requests, read from the store as any replica would. */
  public byte[] requestKey() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("portcullis.db"));
         PreparedStatement ps = c.prepareStatement("SELECT value FROM meta WHERE name = ?")) {
      ps.setString(1, "signin.request_key");
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("sign-in request key in the store").isTrue();
        return Base64.getDecoder().decode(rs.getString(1));
      }
    }
  }

  /** The steps of one sign-in with the password form, each response kept for assertions. */
  public record Flow(TestBrowser.Response start, TestBrowser.Response form, TestBrowser.Response password,
      TestBrowser.Response callback) {
    /** The code in the callback URL the sign-in host sent the browser to. */
    public String callbackUrl() {
      return password.location();
    }
  }

  /**
   * Navigates to {@code url}, follows to the sign-in form, submits the password, and stops before the
   * callback on the service host is opened when {@code openCallback} is false.
   */
  public Flow signIn(TestBrowser browser, String url, String email, String password, boolean openCallback) {
    TestBrowser.Response start = browser.navigate(url);
    assertThat(start.status()).as("navigation without a session").isEqualTo(302);
    assertThat(start.location()).startsWith(authUrl("/_portcullis/signin?request="));
    TestBrowser.Response form = browser.follow(start);
    assertThat(form.status()).as("sign-in form").isEqualTo(200);
    TestBrowser.Response posted = browser.submit(authUrl("/_portcullis/signin/password"), Map.of(
        "email", email, "password", password,
        "request", form.formField("request").orElseThrow(),
        "csrf", form.formField("csrf").orElseThrow()));
    TestBrowser.Response callback = null;
    if (openCallback && posted.status() == 302) {
      callback = browser.follow(posted);
    }
    return new Flow(start, form, posted, callback);
  }

  /** A complete sign-in that must succeed; returns the response of the original URL. */
  public TestBrowser.Response signedIn(TestBrowser browser, String url, String email) {
    Flow flow = signIn(browser, url, email, PASSWORD, true);
    assertThat(flow.password().status()).as("password accepted: " + flow.password().body()).isEqualTo(302);
    assertThat(flow.callback().status()).as("callback: " + flow.callback().body()).isEqualTo(302);
    assertThat(flow.callback().location()).isEqualTo(url);
    TestBrowser.Response r = browser.follow(flow.callback());
    assertThat(r.status()).as("original URL after sign-in").isEqualTo(200);
    return r;
  }

  /** A sign-in to another service through the central session: no form, straight back to {@code url}. */
  public TestBrowser.Response handedOff(TestBrowser browser, String url) {
    TestBrowser.Response start = browser.navigate(url);
    assertThat(start.status()).as("navigation without a session on this host").isEqualTo(302);
    TestBrowser.Response handBack = browser.follow(start);
    assertThat(handBack.status()).as("the central session hands back without the form").isEqualTo(302);
    TestBrowser.Response callback = browser.follow(handBack);
    assertThat(callback.location()).isEqualTo(url);
    TestBrowser.Response r = browser.follow(callback);
    assertThat(r.status()).isEqualTo(200);
    return r;
  }

  @Override
  public void close() throws Exception {
    browsers.forEach(TestBrowser::close);
    portcullis.close();
    upstreams.close();
  }
}
