-- The attempt time series (GET …/stats/series): an endpoint's attempts in a time range, with what the series needs
-- of them (duration and status), read from this index alone. An application's series walks it once per endpoint.
CREATE INDEX attempt_by_endpoint_time ON attempt (endpoint_id, created_at, duration_ms, status);
