-- Herald's first schema on PostgreSQL, the same tables as SQLite's 001. Times are epoch milliseconds (bigint).
-- Migrations are append-only: never edit a released one.
-- Keys are COLLATE "C" so they sort bytewise, as in SQLite whatever the database's locale: KSUID ids are in creation
-- order only bytewise, and keyset pagination walks them.

CREATE TABLE setting (
  key   text COLLATE "C" PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE app (
  id            text COLLATE "C" PRIMARY KEY,
  uid           text COLLATE "C" UNIQUE,
  name          text NOT NULL,
  metadata      jsonb NOT NULL DEFAULT '{}',
  throttle_rate integer,
  created_at    bigint NOT NULL,
  updated_at    bigint NOT NULL
);

CREATE TABLE event_type (
  name          text COLLATE "C" PRIMARY KEY,
  description   text NOT NULL,
  schemas       jsonb,
  archived      boolean NOT NULL DEFAULT false,
  deprecated    boolean NOT NULL DEFAULT false,
  feature_flags jsonb,
  group_name    text,
  created_at    bigint NOT NULL,
  updated_at    bigint NOT NULL
);

CREATE TABLE endpoint (
  id            text COLLATE "C" PRIMARY KEY,
  app_id        text COLLATE "C" NOT NULL REFERENCES app(id) ON DELETE CASCADE,
  uid           text COLLATE "C",
  url           text NOT NULL,
  description   text NOT NULL DEFAULT '',
  event_types   jsonb,
  channels      jsonb,
  disabled      boolean NOT NULL DEFAULT false,
  throttle_rate integer,
  metadata      jsonb NOT NULL DEFAULT '{}',
  headers       jsonb NOT NULL DEFAULT '{}',
  created_at    bigint NOT NULL,
  updated_at    bigint NOT NULL,
  UNIQUE (app_id, uid)
);
CREATE INDEX endpoint_by_app ON endpoint (app_id, id);

CREATE TABLE endpoint_key (
  endpoint_id text COLLATE "C" NOT NULL REFERENCES endpoint(id) ON DELETE CASCADE,
  key         text NOT NULL,
  created_at  bigint NOT NULL,
  expires_at  bigint
);
CREATE INDEX endpoint_key_by_endpoint ON endpoint_key (endpoint_id);

CREATE TABLE message (
  id          text COLLATE "C" PRIMARY KEY,
  app_id      text COLLATE "C" NOT NULL REFERENCES app(id) ON DELETE CASCADE,
  event_id    text COLLATE "C",
  event_type  text COLLATE "C" NOT NULL,
  channels    jsonb,
  tags        jsonb,
  -- text, not jsonb: the exact bytes that were signed are the bytes sent.
  payload     text,
  created_at  bigint NOT NULL,
  deliver_at  bigint
);
CREATE UNIQUE INDEX message_by_event_id ON message (app_id, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX message_by_app ON message (app_id, id);

-- The queue. A row is due when next_attempt_at <= now; while a sender holds it (status 3, sending),
-- next_attempt_at is its lease expiry, so a crashed sender's work becomes due again by itself.
-- Final rows (success 0, fail 2) and parked rows (pending 1) have no next_attempt_at.
CREATE TABLE delivery (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id       text COLLATE "C" NOT NULL REFERENCES message(id) ON DELETE CASCADE,
  endpoint_id      text COLLATE "C" NOT NULL REFERENCES endpoint(id) ON DELETE CASCADE,
  status           integer NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  bigint,
  last_status_code integer,
  trigger          integer NOT NULL DEFAULT 0,
  -- Bumped by every claim: an outcome lands only under the lease it was sent with.
  lease            integer NOT NULL DEFAULT 0,
  updated_at       bigint NOT NULL,
  UNIQUE (message_id, endpoint_id)
);
CREATE INDEX delivery_due ON delivery (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX delivery_by_endpoint ON delivery (endpoint_id, message_id);
-- Parked: pending with no due time, waiting for its endpoint's queue to drain (taken oldest first).
CREATE INDEX delivery_parked ON delivery (endpoint_id, id) WHERE status = 1 AND next_attempt_at IS NULL;

-- Append-only log of every attempt; never updated.
CREATE TABLE attempt (
  id                   text COLLATE "C" PRIMARY KEY,
  app_id               text COLLATE "C" NOT NULL,
  message_id           text COLLATE "C" NOT NULL,
  endpoint_id          text COLLATE "C" NOT NULL,
  url                  text NOT NULL,
  status               integer NOT NULL,
  response_status_code integer NOT NULL,
  response             text NOT NULL,
  duration_ms          integer NOT NULL,
  trigger              integer NOT NULL,
  created_at           bigint NOT NULL
);
CREATE INDEX attempt_by_message ON attempt (message_id, id);
CREATE INDEX attempt_by_endpoint ON attempt (endpoint_id, id);

CREATE TABLE idempotency (
  scope       text COLLATE "C" NOT NULL,
  key         text COLLATE "C" NOT NULL,
  status_code integer NOT NULL,
  body        text NOT NULL,
  expires_at  bigint NOT NULL,
  PRIMARY KEY (scope, key)
);
