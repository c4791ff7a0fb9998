-- IAM policies, one row per resource ('organization', 'projects/P', 'projects/P/services/S'). bindings is
-- the policy's bindings as JSON in Google's shape. A row is kept (with its version) when its bindings are
-- emptied, so an etag is never reused for a different policy.
CREATE TABLE iam_policies (
  resource     TEXT PRIMARY KEY,
  version      BIGINT NOT NULL,
  bindings     TEXT NOT NULL,
  update_time  BIGINT NOT NULL
);

-- Custom roles ('customRoles/ID'): a title, a description and a JSON array of permissions.
CREATE TABLE custom_roles (
  name         TEXT PRIMARY KEY,
  title        TEXT NOT NULL,
  description  TEXT NOT NULL,
  permissions  TEXT NOT NULL,
  version      BIGINT NOT NULL,
  create_time  BIGINT NOT NULL,
  update_time  BIGINT NOT NULL
);

-- What a signed-in person who is refused sees (IAP's access_denied_page_uri, or a message).
ALTER TABLE services ADD COLUMN access_denied_page_uri TEXT;
ALTER TABLE services ADD COLUMN access_denied_message TEXT;
