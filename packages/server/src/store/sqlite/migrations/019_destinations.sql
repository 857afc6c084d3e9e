-- Destinations (Svix's): an endpoint row that delivers to a broker, a database or a poller. destination_type is in
-- clear so fan-out and listings can tell destinations apart without opening anything; destination holds the sealed
-- JSON of the type's config (credentials included), batch size and wait. Both NULL: a plain HTTP endpoint.
ALTER TABLE endpoint ADD COLUMN destination_type TEXT;
ALTER TABLE endpoint ADD COLUMN destination TEXT;
