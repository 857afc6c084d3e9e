-- Background tasks (recover, replay-missing, bulk-replay): resumable from their cursor after a restart.
CREATE TABLE background_task (
  id          TEXT PRIMARY KEY,
  kind        TEXT NOT NULL,
  status      TEXT NOT NULL,
  app_id      TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  params      TEXT NOT NULL,
  cursor      TEXT,
  processed   INTEGER NOT NULL DEFAULT 0,
  scheduled   INTEGER NOT NULL DEFAULT 0,
  lease_until INTEGER,
  error       TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX background_task_running ON background_task (lease_until) WHERE status = 'running';
