-- An endpoint's own limit of attempts in flight at once (a Herald extension, delivery/lanes.ts). NULL: the server's
-- HERALD_PER_ENDPOINT_CONCURRENCY, which is what every endpoint created before this migration keeps.
ALTER TABLE endpoint ADD COLUMN concurrency integer;
