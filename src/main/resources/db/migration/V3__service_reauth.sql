-- Per-service re-authentication age (IAP's reauth_settings.max_age), in milliseconds; NULL for none.
ALTER TABLE services ADD COLUMN reauth_max_age_ms BIGINT;
