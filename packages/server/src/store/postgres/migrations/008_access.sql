-- Named API tokens (stored only as SHA-256 hashes) and the audit log of changes made through the API.
CREATE TABLE api_token (
  id           text COLLATE "C" PRIMARY KEY,
  name         text NOT NULL,
  token_hash   text NOT NULL UNIQUE,
  -- The first characters of the token, so people can tell their tokens apart in a list.
  prefix       text NOT NULL,
  scope        text NOT NULL,
  app_id       text COLLATE "C" REFERENCES app(id) ON DELETE CASCADE,
  read_only    boolean NOT NULL DEFAULT false,
  rate_limit   integer,
  portal       boolean NOT NULL DEFAULT false,
  created_by   text NOT NULL,
  created_at   bigint NOT NULL,
  expires_at   bigint,
  last_used_at bigint
);
CREATE INDEX api_token_by_expiry ON api_token (expires_at) WHERE expires_at IS NOT NULL;

-- Append-only: one row per change an API request made.
CREATE TABLE audit_log (
  id          text COLLATE "C" PRIMARY KEY,
  at          bigint NOT NULL,
  actor_id    text COLLATE "C",
  actor_name  text NOT NULL,
  actor_scope text NOT NULL,
  ip          text,
  request_id  text,
  method      text NOT NULL,
  route       text NOT NULL,
  path        text NOT NULL,
  status      integer NOT NULL,
  app_id      text COLLATE "C",
  resource_id text
);
CREATE INDEX audit_log_by_app ON audit_log (app_id, id);
