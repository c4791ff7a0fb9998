package dev.portcullis.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.TestBrowser;
import dev.portcullis.testing.TestPortcullis;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The steps of a password sign-in to the console with the scripted browser, for tests that need no Chromium. */
final class ConsoleSignIn {
  private ConsoleSignIn() {}

  static String consoleUrl(TestPortcullis p, String pathAndQuery) {
    return "http://console." + p.portcullis().settings().domain() + ":" + p.port() + pathAndQuery;
  }

  static String authUrl(TestPortcullis p, String pathAndQuery) {
    return "http://" + p.portcullis().settings().authHost() + ":" + p.port() + pathAndQuery;
  }

  /** Signs in and answers the console page at {@code path} as the browser then sees it. */
  static TestBrowser.Response signIn(TestPortcullis p, TestBrowser browser, String path, String email,
      String password) {
    TestBrowser.Response start = browser.navigate(consoleUrl(p, path));
    assertThat(start.status()).as("console without a session").isEqualTo(302);
    assertThat(start.location()).startsWith(consoleUrl(p, "/_portcullis/start?rd="));
    TestBrowser.Response toAuth = browser.follow(start);
    assertThat(toAuth.location()).startsWith(authUrl(p, "/_portcullis/signin?request="));
    TestBrowser.Response form = browser.follow(toAuth);
    assertThat(form.status()).isEqualTo(200);
    assertThat(form.body()).contains("the Portcullis console");
    TestBrowser.Response posted = browser.submit(authUrl(p, "/_portcullis/signin/password"), Map.of(
        "email", email, "password", password,
        "request", form.formField("request").orElseThrow(), "csrf", form.formField("csrf").orElseThrow()));
    assertThat(posted.status()).as("password accepted: " + posted.body()).isEqualTo(302);
    TestBrowser.Response callback = browser.follow(posted);
    assertThat(callback.status()).as("callback: " + callback.body()).isEqualTo(302);
    assertThat(callback.location()).isEqualTo(consoleUrl(p, path));
    return browser.follow(callback);
  }

  /** The CSRF token a console page carries for its API calls. */
  static String csrf(TestBrowser.Response page) {
    Matcher m = Pattern.compile("name=\"portcullis-csrf\" content=\"([^\"]+)\"").matcher(page.body());
    assertThat(m.find()).as("CSRF token in the page").isTrue();
    return m.group(1);
  }
}
