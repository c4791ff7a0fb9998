package dev.portcullis.config;

import java.util.Optional;

/**
 * How the signed identity assertion is issued: its {@code iss}, the issuer and identity prefix used in
 * Google IAP compatibility mode, and the master key that seals the signing keys at rest (empty: the
 * embedded default, a key generated into the data directory on first start).
 */
public record AssertionSettings(String issuer, String iapIssuer, String iapIdentityPrefix,
    Optional<MasterKey> masterKey) {}
