-- Token buckets for throttleRate, shared by every process that sends (key: 'ep:<id>' or 'app:<id>').
CREATE TABLE rate_limit (
  key        TEXT PRIMARY KEY,
  tokens     REAL NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
