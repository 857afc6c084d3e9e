-- Named API tokens (stored only as SHA-256 hashes) and the audit log of changes made through the API.
CREATE TABLE api_token (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  token_hash   TEXT NOT NULL UNIQUE,
  -- The first characters of the token, so people can tell their tokens apart in a list.
  prefix       TEXT NOT NULL,
  scope        TEXT NOT NULL,
  app_id       TEXT REFERENCES app(id) ON DELETE CASCADE,
  read_only    INTEGER NOT NULL DEFAULT 0,
  rate_limit   INTEGER,
  portal       INTEGER NOT NULL DEFAULT 0,
  created_by   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER,
  last_used_at INTEGER
);
CREATE INDEX api_token_by_expiry ON api_token (expires_at) WHERE expires_at IS NOT NULL;

-- Append-only: one row per change an API request made.
CREATE TABLE audit_log (
  id          TEXT PRIMARY KEY,
  at          INTEGER NOT NULL,
  actor_id    TEXT,
  actor_name  TEXT NOT NULL,
  actor_scope TEXT NOT NULL,
  ip          TEXT,
  request_id  TEXT,
  method      TEXT NOT NULL,
  route       TEXT NOT NULL,
  path        TEXT NOT NULL,
  status      INTEGER NOT NULL,
  app_id      TEXT,
  resource_id TEXT
);
CREATE INDEX audit_log_by_app ON audit_log (app_id, id);
