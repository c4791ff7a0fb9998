package dev.portcullis.pages;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;

/** Server-rendered pages from templates compiled at build time (src/main/jte), escaped as HTML. */
public final class Pages {
  private static final TemplateEngine ENGINE = TemplateEngine.createPrecompiled(ContentType.Html);

  private Pages() {}

  public static String render(String template, Object param) {
    StringOutput out = new StringOutput();
    ENGINE.render(template, param, out);
    return out.toString();
  }
}
