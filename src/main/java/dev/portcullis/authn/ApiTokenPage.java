package dev.portcullis.authn;

import dev.portcullis.pages.Pages;

/** The sign-in host's page that gives a signed-in person a token for the admin API. */
public record ApiTokenPage(String email, String csrf, String token) {
  public String render() {
    return Pages.render("apitoken.jte", this);
  }
}
