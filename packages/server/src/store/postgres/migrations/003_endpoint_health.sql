-- Endpoint health: when the endpoint's current run of exhausted deliveries began (NULL once any delivery succeeds).
ALTER TABLE endpoint ADD COLUMN failing_since bigint;
