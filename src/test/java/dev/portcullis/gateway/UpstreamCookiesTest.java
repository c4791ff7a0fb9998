package dev.portcullis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Clients;
import dev.portcullis.testing.Clients.Reply;
import dev.portcullis.testing.TestPortcullis;
import dev.portcullis.testing.Upstreams;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An app cannot set Portcullis's own cookies in its users' browsers; its own cookies pass. */
class UpstreamCookiesTest {
  @TempDir Path dir;

  @Test
  void upstreamSetCookie_forPortcullisCookies_isDropped_appCookiesPass() throws Exception {
    try (Upstreams upstreams = new Upstreams(); TestPortcullis p = TestPortcullis.start(dir)) {
      String upstream = upstreams.http(req -> {
        req.response().headers()
            .add("set-cookie", "portcullis=planted-session; Path=/; HttpOnly")
            .add("set-cookie", "__Host-portcullis=planted; Path=/; Secure")
            .add("set-cookie", "portcullis-signin=planted; Path=/")
            .add("set-cookie", "app=1; Path=/")
            .add("set-cookie", "portcullis_prefs=dark; Path=/");
        req.response().end("ok");
      });
      p.createService("app", upstream);

      Reply r = Clients.send(upstreams.vertx().createHttpClient(), Clients.to(p, "app", HttpMethod.GET, "/"));

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers().getAll("set-cookie")).containsExactly("app=1; Path=/", "portcullis_prefs=dark; Path=/");
    }
  }
}
