package dev.portcullis.demo;

import dev.portcullis.pages.Pages;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** The HTML form of the demo's echo. */
public final class HelloPage {
  /** What the template shows: the request line and each header as received. */
  public record View(String method, String uri, List<List<String>> headers) {}

  private HelloPage() {}

  static String render(JsonObject echo) {
    List<List<String>> headers = new ArrayList<>();
    for (Object o : echo.getJsonArray("headers")) {
      JsonArray pair = (JsonArray) o;
      headers.add(List.of(pair.getString(0), pair.getString(1)));
    }
    return Pages.render("hello.jte", new View(echo.getString("method"), echo.getString("uri"), headers));
  }
}
