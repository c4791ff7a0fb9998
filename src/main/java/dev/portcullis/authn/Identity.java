package dev.portcullis.authn;

/**
 * Who a signed-in caller is. {@code subject} is stable and provider-prefixed ("local:…" for built-in
 * accounts, "PROVIDER:sub" for an identity provider); {@code email} is lower-case.
 */
public record Identity(String userId, String subject, String email, String provider) {}
