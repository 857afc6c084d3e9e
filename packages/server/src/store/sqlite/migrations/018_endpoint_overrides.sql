-- An endpoint's own retry schedule (JSON array of seconds) and request timeout (seconds), Herald extensions. NULL: the
-- server's HERALD_RETRY_SCHEDULE and HERALD_REQUEST_TIMEOUT, which is what every endpoint created before keeps.
ALTER TABLE endpoint ADD COLUMN retry_schedule TEXT;
ALTER TABLE endpoint ADD COLUMN request_timeout REAL;
