-- An endpoint's open circuit breaker (delivery/circuit.ts). Kept in the database so that a restarted worker probes a
-- failing endpoint instead of flooding it, and so every process (API, portal, metrics, other workers) sees it.
-- A row exists only while the circuit is open.
CREATE TABLE endpoint_circuit (
  endpoint_id    TEXT PRIMARY KEY REFERENCES endpoint(id) ON DELETE CASCADE,
  opened_at      INTEGER NOT NULL,
  failures       INTEGER NOT NULL,
  probe_delay_ms INTEGER NOT NULL,
  next_probe_at  INTEGER,
  updated_at     INTEGER NOT NULL
);
