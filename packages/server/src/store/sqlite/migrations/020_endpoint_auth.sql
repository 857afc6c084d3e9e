-- How Herald authenticates itself to an endpoint besides custom headers: HTTP basic, OAuth 2.0 client credentials,
-- a client certificate. One row per endpoint that has any, gone with it; `sealed` is the whole setting as JSON,
-- sealed under the master key (passwords, client secrets and private keys are never in clear).
CREATE TABLE endpoint_auth (
  endpoint_id TEXT PRIMARY KEY REFERENCES endpoint(id) ON DELETE CASCADE,
  sealed      TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
);
