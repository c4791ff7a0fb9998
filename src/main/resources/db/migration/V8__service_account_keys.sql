-- Service account keys: only the public half is kept (a JWK), the private half is handed out once in the
-- key file and never stored. A key goes with its account. Times are epoch milliseconds.
CREATE TABLE service_account_keys (
  key_id         TEXT PRIMARY KEY,
  account_email  TEXT NOT NULL REFERENCES service_accounts(email) ON DELETE CASCADE,
  public_jwk     TEXT NOT NULL,
  create_time    BIGINT NOT NULL
);

CREATE INDEX service_account_keys_account ON service_account_keys(account_email);
