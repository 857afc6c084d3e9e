-- The inbound gateway. A source is a public ingest URL with a verification scheme; its destinations are the
-- endpoints of an application of its own (app_id), so forwarding uses the one delivery engine.
CREATE TABLE source (
  id                    text COLLATE "C" PRIMARY KEY,
  uid                   text COLLATE "C" UNIQUE,
  name                  text NOT NULL,
  app_id                text COLLATE "C" NOT NULL UNIQUE REFERENCES app(id) ON DELETE CASCADE,
  -- Sealed under the master key, as it holds the provider's secret.
  verification          text NOT NULL,
  response_status       integer NOT NULL,
  response_body         text,
  response_content_type text,
  inspect               boolean NOT NULL DEFAULT false,
  dedupe_window         integer NOT NULL,
  sign_forwarded        boolean NOT NULL DEFAULT false,
  created_at            bigint NOT NULL,
  updated_at            bigint NOT NULL
);

-- Every request that reached a source, as it came, stored before it was answered.
CREATE TABLE inbound_request (
  id          text COLLATE "C" PRIMARY KEY,
  source_id   text COLLATE "C" NOT NULL REFERENCES source(id) ON DELETE CASCADE,
  received_at bigint NOT NULL,
  method      text NOT NULL,
  path        text NOT NULL,
  query       text NOT NULL,
  headers     jsonb NOT NULL,
  body        bytea NOT NULL,
  ip          text,
  status      text NOT NULL,
  reason      text,
  provider_id text,
  event_type  text,
  message_id  text COLLATE "C"
);
CREATE INDEX inbound_request_by_source ON inbound_request (source_id, id);
CREATE INDEX inbound_request_by_provider_id ON inbound_request (source_id, provider_id) WHERE provider_id IS NOT NULL;

-- A message that passes an inbound request on: the headers to send with its body (NULL: a message published
-- through the API, sent as Herald's own signed JSON).
ALTER TABLE message ADD COLUMN forward jsonb;
