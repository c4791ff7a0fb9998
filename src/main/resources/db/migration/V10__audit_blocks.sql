-- The audit log's queryable copy, in blocks. A block is a run of consecutive sealed lines of one
-- replica's chain (one group commit of its file, or several when the copy catches up), stored as
-- written, one line after another separated by a newline. One row per commit rather than per record
-- keeps the copy's cost per request near nothing; queries narrow the blocks with the columns below
-- and then read the lines.
--
-- members, services and tags list, each between single spaces, every member name, service name,
-- kind and decision that occurs in the block (' user:ann@example.com user:bob@example.com '), so a
-- filter can skip blocks that cannot match. Times are epoch milliseconds. last_hash is the hash of
-- the block's last record, for anchors and for checking a file's tail against the store.
--
-- On the embedded SQLite store, which lives on the same disk as the replica's audit files, a block
-- written by this replica points at its lines instead of holding a second copy: lines is NULL and
-- segment (the first seq of the segment file, which names it), byte_offset and byte_length say where
-- the lines are. Blocks on PostgreSQL, which every replica reads, always hold their lines.
CREATE TABLE audit_blocks (
  replica    TEXT NOT NULL,
  first_seq  BIGINT NOT NULL,
  last_seq   BIGINT NOT NULL,
  time_min   BIGINT NOT NULL,
  time_max   BIGINT NOT NULL,
  records    INTEGER NOT NULL,
  members    TEXT NOT NULL,
  services   TEXT NOT NULL,
  tags       TEXT NOT NULL,
  last_hash  TEXT NOT NULL,
  lines      TEXT,
  segment    BIGINT,
  byte_offset BIGINT,
  byte_length BIGINT,
  PRIMARY KEY (replica, first_seq)
);

CREATE INDEX audit_blocks_time ON audit_blocks(time_max);
CREATE INDEX audit_blocks_replica_last ON audit_blocks(replica, last_seq);

-- What V9 stored, one record per row, becomes one block per record.
INSERT INTO audit_blocks(replica, first_seq, last_seq, time_min, time_max, records, members, services, tags,
    last_hash, lines)
SELECT replica, seq, seq, time, time, 1,
       CASE WHEN member IS NULL THEN ' ' ELSE ' ' || member || ' ' END,
       CASE WHEN service IS NULL THEN ' ' ELSE ' ' || service || ' ' END,
       CASE WHEN decision IS NULL THEN ' ' || kind || ' ' ELSE ' ' || kind || ' ' || decision || ' ' END,
       hash, json
FROM audit_events;

DROP TABLE audit_events;
