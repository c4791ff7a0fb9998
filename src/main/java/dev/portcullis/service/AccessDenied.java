package dev.portcullis.service;

import java.net.URI;
import java.util.Optional;

/**
 * What a signed-in caller who is refused sees: IAP's {@code access_denied_page_uri} (a page elsewhere
 * that browsers are sent to), or a message shown on Portcullis's own 403 page. Both may be unset.
 */
public record AccessDenied(Optional<URI> pageUri, Optional<String> message) {
  public static final AccessDenied NONE = new AccessDenied(Optional.empty(), Optional.empty());
  public static final int MAX_MESSAGE = 1000;
}
