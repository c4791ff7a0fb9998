package dev.portcullis.pages;

/** A plain informational page ("You are signed out"), with an optional link onward. */
public record MessagePage(String title, String text, String linkHref, String linkText) {
  public String render() {
    return Pages.render("message.jte", this);
  }
}
