package dev.portcullis.console;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The console's script and style sheet, read from the binary once at start: nothing is fetched from
 * anywhere else, so the console works offline and no third party sees or caches a console page.
 */
final class ConsoleAssets {
  static final String PREFIX = "/assets/";
  /** No inline script or style, no other origin, no framing, no plugins. */
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
      + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  private record Asset(String contentType, Buffer body) {}

  private final Map<String, Asset> assets;

  private ConsoleAssets(Map<String, Asset> assets) {
    this.assets = assets;
  }

  static ConsoleAssets load() {
    return new ConsoleAssets(Map.of(
        "console.js", new Asset("text/javascript; charset=utf-8", read("console.js")),
        "console.css", new Asset("text/css; charset=utf-8", Buffer.buffer(dev.portcullis.pages.Pages.baseCss())
            .appendBuffer(read("console.css")))));
  }

  private static Buffer read(String name) {
    try (InputStream in = ConsoleAssets.class.getResourceAsStream("/console/" + name)) {
      if (in == null) {
        throw new IllegalStateException("console asset " + name + " is missing from the binary");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void serve(RoutingContext rc) {
    Asset a = assets.get(rc.request().path().substring(PREFIX.length()));
    if (a == null) {
      rc.next();
      return;
    }
    rc.response().putHeader("content-type", a.contentType())
        .putHeader("cache-control", "no-cache")
        .putHeader("x-content-type-options", "nosniff")
        .end(a.body());
  }
}
