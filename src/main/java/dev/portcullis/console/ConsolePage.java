package dev.portcullis.console;

import dev.portcullis.pages.Pages;

/**
 * The shell of one console page: navigation, who is signed in, the CSRF token for the page's API calls,
 * and which page the script should draw. The data itself comes from the admin API.
 */
public record ConsolePage(Kind kind, String item, String email, String csrf, boolean canWrite) {

  /** The console's pages; {@code hasItem} when /PATH/ITEM names one service or group. */
  public enum Kind {
    SERVICES("/services", "Services", true),
    IAM("/iam", "Permissions", false),
    GROUPS("/groups", "Groups", true),
    USERS("/users", "Users", false),
    SERVICE_ACCOUNTS("/service-accounts", "Service accounts", false),
    SESSIONS("/sessions", "Sessions", false),
    AUDIT("/audit", "Audit", false),
    TROUBLESHOOT("/troubleshoot", "Troubleshooter", false);

    private final String path;
    private final String title;
    private final boolean hasItem;

    Kind(String path, String title, boolean hasItem) {
      this.path = path;
      this.title = title;
      this.hasItem = hasItem;
    }

    public String path() {
      return path;
    }

    public String title() {
      return title;
    }

    public boolean hasItem() {
      return hasItem;
    }

    public String id() {
      return path.substring(1);
    }
  }

  public Kind[] kinds() {
    return Kind.values();
  }

  public String title() {
    return item == null ? kind.title() : item + " · " + kind.title();
  }

  public String render() {
    return Pages.render("console.jte", this);
  }
}
