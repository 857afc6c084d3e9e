-- Herald's first schema. Times are epoch milliseconds. Migrations are append-only: never edit a released one.

CREATE TABLE setting (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE app (
  id            TEXT PRIMARY KEY,
  uid           TEXT UNIQUE,
  name          TEXT NOT NULL,
  metadata      TEXT NOT NULL DEFAULT '{}',
  throttle_rate INTEGER,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

CREATE TABLE event_type (
  name          TEXT PRIMARY KEY,
  description   TEXT NOT NULL,
  schemas       TEXT,
  archived      INTEGER NOT NULL DEFAULT 0,
  deprecated    INTEGER NOT NULL DEFAULT 0,
  feature_flags TEXT,
  group_name    TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

CREATE TABLE endpoint (
  id            TEXT PRIMARY KEY,
  app_id        TEXT NOT NULL REFERENCES app(id) ON DELETE CASCADE,
  uid           TEXT,
  url           TEXT NOT NULL,
  description   TEXT NOT NULL DEFAULT '',
  event_types   TEXT,
  channels      TEXT,
  disabled      INTEGER NOT NULL DEFAULT 0,
  throttle_rate INTEGER,
  metadata      TEXT NOT NULL DEFAULT '{}',
  headers       TEXT NOT NULL DEFAULT '{}',
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  UNIQUE (app_id, uid)
);
CREATE INDEX endpoint_by_app ON endpoint (app_id, id);

CREATE TABLE endpoint_key (
  endpoint_id TEXT NOT NULL REFERENCES endpoint(id) ON DELETE CASCADE,
  key         TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER
);
CREATE INDEX endpoint_key_by_endpoint ON endpoint_key (endpoint_id);

CREATE TABLE message (
  id          TEXT PRIMARY KEY,
  app_id      TEXT NOT NULL REFERENCES app(id) ON DELETE CASCADE,
  event_id    TEXT,
  event_type  TEXT NOT NULL,
  channels    TEXT,
  tags        TEXT,
  payload     TEXT,
  created_at  INTEGER NOT NULL,
  deliver_at  INTEGER
);
CREATE UNIQUE INDEX message_by_event_id ON message (app_id, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX message_by_app ON message (app_id, id);

-- The queue. A row is due when next_attempt_at <= now; while a sender holds it (status 3, sending),
-- next_attempt_at is its lease expiry, so a crashed sender's work becomes due again by itself.
-- Final rows (success 0, fail 2) and parked rows (pending 1) have no next_attempt_at.
CREATE TABLE delivery (
  id               INTEGER PRIMARY KEY,
  message_id       TEXT NOT NULL REFERENCES message(id) ON DELETE CASCADE,
  endpoint_id      TEXT NOT NULL REFERENCES endpoint(id) ON DELETE CASCADE,
  status           INTEGER NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER,
  last_status_code INTEGER,
  trigger          INTEGER NOT NULL DEFAULT 0,
  -- Bumped by every claim: an outcome lands only under the lease it was sent with.
  lease            INTEGER NOT NULL DEFAULT 0,
  updated_at       INTEGER NOT NULL,
  UNIQUE (message_id, endpoint_id)
);
CREATE INDEX delivery_due ON delivery (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX delivery_by_endpoint ON delivery (endpoint_id, message_id);
-- Parked: pending with no due time, waiting for its endpoint's queue to drain (taken oldest first).
CREATE INDEX delivery_parked ON delivery (endpoint_id, id) WHERE status = 1 AND next_attempt_at IS NULL;

-- Append-only log of every attempt; never updated.
CREATE TABLE attempt (
  id                   TEXT PRIMARY KEY,
  app_id               TEXT NOT NULL,
  message_id           TEXT NOT NULL,
  endpoint_id          TEXT NOT NULL,
  url                  TEXT NOT NULL,
  status               INTEGER NOT NULL,
  response_status_code INTEGER NOT NULL,
  response             TEXT NOT NULL,
  duration_ms          INTEGER NOT NULL,
  trigger              INTEGER NOT NULL,
  created_at           INTEGER NOT NULL
);
CREATE INDEX attempt_by_message ON attempt (message_id, id);
CREATE INDEX attempt_by_endpoint ON attempt (endpoint_id, id);

CREATE TABLE idempotency (
  scope       TEXT NOT NULL,
  key         TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  body        TEXT NOT NULL,
  expires_at  INTEGER NOT NULL,
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;
