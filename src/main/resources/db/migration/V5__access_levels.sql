-- Access levels: named IP subnetwork lists or CEL expressions that IAM conditions test for.
-- Exactly one of ip_subnetworks (CIDR blocks, one per line) and expression is set. Times are epoch milliseconds.
CREATE TABLE access_levels (
  name            TEXT PRIMARY KEY,
  title           TEXT NOT NULL,
  description     TEXT NOT NULL,
  ip_subnetworks  TEXT,
  expression      TEXT,
  version         BIGINT NOT NULL,
  update_time     BIGINT NOT NULL
);
