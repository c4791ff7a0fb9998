-- The assertion signing keys (ES256, P-256). state is 'next' (published, not yet signing), 'current'
-- (signing) or 'previous' (published only, so that assertions signed before a rotation still verify).
-- private_jwk is the private key as a JWK, sealed with the master key (JWE dir + A256GCM, kid in the
-- protected header); it is never stored in clear. Times are epoch milliseconds.
CREATE TABLE signing_keys (
  kid          TEXT PRIMARY KEY,
  state        TEXT NOT NULL CHECK (state IN ('next', 'current', 'previous')),
  public_jwk   TEXT NOT NULL,
  private_jwk  TEXT NOT NULL,
  create_time  BIGINT NOT NULL,
  state_time   BIGINT NOT NULL
);

-- What the signed assertion says for each service, and IAP's cors_settings.allow_http_options.
ALTER TABLE services ADD COLUMN assertion_audience TEXT;
ALTER TABLE services ADD COLUMN assertion_groups BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE services ADD COLUMN iap_compatible BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE services ADD COLUMN allow_http_options BOOLEAN NOT NULL DEFAULT FALSE;

-- The identity provider's hd claim at sign-in, for the assertion's hd; NULL when it gave none.
ALTER TABLE sessions ADD COLUMN hosted_domain TEXT;
