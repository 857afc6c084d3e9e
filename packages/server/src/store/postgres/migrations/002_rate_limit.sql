-- Token buckets for throttleRate, shared by every worker process (key: 'ep:<id>' or 'app:<id>').
CREATE TABLE rate_limit (
  key        text COLLATE "C" PRIMARY KEY,
  tokens     double precision NOT NULL,
  updated_at bigint NOT NULL
);
