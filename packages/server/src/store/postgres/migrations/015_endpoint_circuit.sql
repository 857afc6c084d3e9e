-- An endpoint's open circuit breaker (delivery/circuit.ts). Kept in the database so that a restarted worker probes a
-- failing endpoint instead of flooding it, and so every process (API, portal, metrics, other workers) sees it.
-- A row exists only while the circuit is open.
CREATE TABLE endpoint_circuit (
  endpoint_id    text COLLATE "C" PRIMARY KEY REFERENCES endpoint(id) ON DELETE CASCADE,
  opened_at      bigint NOT NULL,
  failures       integer NOT NULL,
  probe_delay_ms integer NOT NULL,
  next_probe_at  bigint,
  updated_at     bigint NOT NULL
);
