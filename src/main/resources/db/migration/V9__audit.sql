-- The audit log's queryable copy. Each row is one sealed line of a replica's hash chain, copied from
-- the replica's local file after the file committed it; (replica, seq) makes the copy idempotent.
-- json is the whole line as written (the hash is over its bytes), the other columns are for queries.
-- Times are epoch milliseconds.
CREATE TABLE audit_events (
  replica     TEXT NOT NULL,
  seq         BIGINT NOT NULL,
  time        BIGINT NOT NULL,
  kind        TEXT NOT NULL,
  request_id  TEXT,
  member      TEXT,
  service     TEXT,
  decision    TEXT,
  action      TEXT,
  json        TEXT NOT NULL,
  prev        TEXT NOT NULL,
  hash        TEXT NOT NULL,
  PRIMARY KEY (replica, seq)
);

CREATE INDEX audit_events_time ON audit_events(time);
CREATE INDEX audit_events_service_time ON audit_events(service, time);
CREATE INDEX audit_events_member_time ON audit_events(member, time);

-- Where each replica's chain continues after retention purged its oldest records: the seq and hash
-- of the last purged record, so what remains still verifies.
CREATE TABLE audit_anchors (
  replica  TEXT PRIMARY KEY,
  seq      BIGINT NOT NULL,
  hash     TEXT NOT NULL
);
