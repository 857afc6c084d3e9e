-- Transformations (Svix's: code that reshapes each webhook before it is sent), an endpoint's and an inbound source's. A row
-- exists once one was set; its own table keeps code of up to a few hundred kilobytes out of the endpoint rows that
-- every list and every delivery reads.
CREATE TABLE endpoint_transformation (
  endpoint_id TEXT PRIMARY KEY REFERENCES endpoint(id) ON DELETE CASCADE,
  code        TEXT,
  enabled     INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

-- An inbound source's transformation: reshapes each request it forwards, before it goes to the destinations.
CREATE TABLE source_transformation (
  source_id   TEXT PRIMARY KEY REFERENCES source(id) ON DELETE CASCADE,
  code        TEXT,
  enabled     INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
