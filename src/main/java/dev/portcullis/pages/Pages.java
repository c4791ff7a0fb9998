package dev.portcullis.pages;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;

/** Server-rendered pages from templates compiled at build time (src/main/jte), escaped as HTML. */
public final class Pages {
  private static final TemplateEngine ENGINE = TemplateEngine.createPrecompiled(ContentType.Html);

  private static final String BASE_CSS = readBaseCss();

  private Pages() {}

  /**
   * The look every page shares, from one file in the binary: inlined into the sign-in, denied and error
   * pages (served on many hosts), and the start of the console's style sheet.
   */
  public static String baseCss() {
    return BASE_CSS;
  }

  private static String readBaseCss() {
    try (java.io.InputStream in = Pages.class.getResourceAsStream("/pages/base.css")) {
      if (in == null) {
        throw new IllegalStateException("pages/base.css is missing from the binary");
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public static String render(String template, Object param) {
    StringOutput out = new StringOutput();
    ENGINE.render(template, param, out);
    return out.toString();
  }
}
