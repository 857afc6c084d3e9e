-- The inbound gateway. A source is a public ingest URL with a verification scheme; its destinations are the
-- endpoints of an application of its own (app_id), so forwarding uses the one delivery engine.
CREATE TABLE source (
  id                    TEXT PRIMARY KEY,
  uid                   TEXT UNIQUE,
  name                  TEXT NOT NULL,
  app_id                TEXT NOT NULL UNIQUE REFERENCES app(id) ON DELETE CASCADE,
  -- JSON; sealed under the master key, as it holds the provider's secret.
  verification          TEXT NOT NULL,
  response_status       INTEGER NOT NULL,
  response_body         TEXT,
  response_content_type TEXT,
  inspect               INTEGER NOT NULL DEFAULT 0,
  dedupe_window         INTEGER NOT NULL,
  sign_forwarded        INTEGER NOT NULL DEFAULT 0,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL
);

-- Every request that reached a source, as it came, stored before it was answered.
CREATE TABLE inbound_request (
  id          TEXT PRIMARY KEY,
  source_id   TEXT NOT NULL REFERENCES source(id) ON DELETE CASCADE,
  received_at INTEGER NOT NULL,
  method      TEXT NOT NULL,
  path        TEXT NOT NULL,
  query       TEXT NOT NULL,
  headers     TEXT NOT NULL,
  body        BLOB NOT NULL,
  ip          TEXT,
  status      TEXT NOT NULL,
  reason      TEXT,
  provider_id TEXT,
  event_type  TEXT,
  message_id  TEXT
);
CREATE INDEX inbound_request_by_source ON inbound_request (source_id, id);
CREATE INDEX inbound_request_by_provider_id ON inbound_request (source_id, provider_id) WHERE provider_id IS NOT NULL;

-- A message that passes an inbound request on: the headers to send with its body, as JSON (NULL: a message
-- published through the API, sent as Herald's own signed JSON).
ALTER TABLE message ADD COLUMN forward TEXT;
