-- The directory: groups, their members, and service accounts. Emails are stored lower-case; a member is
-- its canonical string, 'user:EMAIL', 'serviceAccount:EMAIL' or 'group:EMAIL'. Times are epoch milliseconds.
CREATE TABLE groups (
  email         TEXT PRIMARY KEY,
  display_name  TEXT,
  description   TEXT,
  version       BIGINT NOT NULL,
  create_time   BIGINT NOT NULL,
  update_time   BIGINT NOT NULL
);

CREATE TABLE group_members (
  group_email  TEXT NOT NULL REFERENCES groups(email) ON DELETE CASCADE,
  member       TEXT NOT NULL,
  PRIMARY KEY (group_email, member)
);

-- The groups a member is in: read member by member to build the in-memory directory, and used when a
-- group or service account is deleted. Covering, so neither needs the table itself.
CREATE INDEX group_members_member ON group_members(member, group_email);

CREATE TABLE service_accounts (
  email         TEXT PRIMARY KEY,
  display_name  TEXT,
  description   TEXT,
  disabled      BOOLEAN NOT NULL,
  version       BIGINT NOT NULL,
  create_time   BIGINT NOT NULL,
  update_time   BIGINT NOT NULL,
  project       TEXT NOT NULL
);
