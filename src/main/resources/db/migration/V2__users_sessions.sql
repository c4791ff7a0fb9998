-- People who can sign in: built-in accounts (kind 'local', with a password hash) and identities first
-- seen at sign-in through an identity provider (kind 'external'). Times are epoch milliseconds.
CREATE TABLE users (
  id               TEXT PRIMARY KEY,
  email            TEXT NOT NULL,
  kind             TEXT NOT NULL,
  provider         TEXT NOT NULL,
  subject          TEXT NOT NULL,
  display_name     TEXT,
  password_hash    TEXT,
  disabled         BOOLEAN NOT NULL,
  failed_attempts  INTEGER NOT NULL,
  locked_until     BIGINT NOT NULL,
  version          BIGINT NOT NULL,
  create_time      BIGINT NOT NULL,
  update_time      BIGINT NOT NULL,
  last_sign_in     BIGINT
);

CREATE UNIQUE INDEX users_provider_subject ON users(provider, subject);
CREATE UNIQUE INDEX users_local_email ON users(email, provider);

-- Server-side sessions. The cookie holds a random value; only its SHA-256 is stored. A central session
-- lives on the sign-in host; each service host gets its own session whose parent is the central one.
CREATE TABLE sessions (
  id_hash      TEXT PRIMARY KEY,
  public_id    TEXT NOT NULL UNIQUE,
  parent_hash  TEXT,
  host         TEXT NOT NULL,
  user_id      TEXT NOT NULL,
  subject      TEXT NOT NULL,
  email        TEXT NOT NULL,
  provider     TEXT NOT NULL,
  id_token     TEXT,
  auth_time    BIGINT NOT NULL,
  create_time  BIGINT NOT NULL,
  expire_time  BIGINT NOT NULL,
  last_seen    BIGINT NOT NULL,
  revoked      BOOLEAN NOT NULL,
  client_ip    TEXT,
  user_agent   TEXT
);

CREATE INDEX sessions_parent ON sessions(parent_hash);
CREATE INDEX sessions_user ON sessions(user_id);

-- Single-use hand-off codes that carry a sign-in from the sign-in host to one service host, bound to
-- the browser that started the sign-in there (the hash of a short-lived cookie on that host).
CREATE TABLE handoff_codes (
  code_hash     TEXT PRIMARY KEY,
  session_hash  TEXT NOT NULL,
  host          TEXT NOT NULL,
  return_url    TEXT NOT NULL,
  binding_hash  TEXT NOT NULL,
  expire_time   BIGINT NOT NULL
);

-- OpenID Connect sign-ins in progress: state, nonce and PKCE verifier, bound to the browser by the hash
-- of a short-lived cookie. Each row is used once.
CREATE TABLE login_states (
  state_hash     TEXT PRIMARY KEY,
  binding_hash   TEXT NOT NULL,
  provider       TEXT NOT NULL,
  nonce          TEXT NOT NULL,
  code_verifier  TEXT NOT NULL,
  signin_request TEXT NOT NULL,
  expire_time    BIGINT NOT NULL
);
