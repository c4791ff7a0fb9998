package dev.portcullis.config;

/** A setting that cannot be used: names the key and says what is allowed, in one line. */
public final class ConfigException extends RuntimeException {
  private final String key;

  public ConfigException(String key, String problem) {
    super(key + ": " + problem);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
