-- Background tasks (recover, replay-missing, bulk-replay): resumable from their cursor after a restart.
CREATE TABLE background_task (
  id          text COLLATE "C" PRIMARY KEY,
  kind        text NOT NULL,
  status      text NOT NULL,
  app_id      text COLLATE "C" NOT NULL,
  endpoint_id text COLLATE "C" NOT NULL,
  params      jsonb NOT NULL,
  cursor      text COLLATE "C",
  processed   integer NOT NULL DEFAULT 0,
  scheduled   integer NOT NULL DEFAULT 0,
  lease_until bigint,
  error       text,
  created_at  bigint NOT NULL,
  updated_at  bigint NOT NULL
);
CREATE INDEX background_task_running ON background_task (lease_until) WHERE status = 'running';
