package dev.portcullis.authn;

import dev.portcullis.pages.Pages;
import java.util.List;

/** What the sign-in page shows: the service, a password form, buttons for identity providers. */
public record SignInPage(String service, String request, String csrf, boolean passwordForm,
    List<ProviderLink> providers, String email, String error) {

  /** A button to sign in with one identity provider. */
  public record ProviderLink(String name, String href) {}

  public String render() {
    return Pages.render("signin.jte", this);
  }
}
