import type { CircuitStore } from '../slices/circuits.ts';
import type { CircuitState } from '../types.ts';
import type { SqliteConnection } from './connection.ts';

type Row = Record<string, any>;

const toCircuit = (r: Row): CircuitState => ({
  endpointId: r.endpoint_id, openedAt: r.opened_at, failures: r.failures, probeDelayMs: r.probe_delay_ms, nextProbeAt: r.next_probe_at,
});

/** Endpoints' open circuit breakers. */
export function sqliteCircuits(c: SqliteConnection): CircuitStore {
  return {
    saveCircuit(state, now) {
      return c.writes.run(() => {
        c.stmt(
          `INSERT INTO endpoint_circuit (endpoint_id, opened_at, failures, probe_delay_ms, next_probe_at, updated_at)
           SELECT @endpointId, @openedAt, @failures, @probeDelayMs, @nextProbeAt, @now WHERE EXISTS (SELECT 1 FROM endpoint WHERE id = @endpointId)
           ON CONFLICT (endpoint_id) DO UPDATE SET opened_at = excluded.opened_at, failures = excluded.failures,
             probe_delay_ms = excluded.probe_delay_ms, next_probe_at = excluded.next_probe_at, updated_at = excluded.updated_at`,
        ).run({ ...state, now });
      });
    },

    clearCircuit(endpointId) {
      return c.writes.run(() => {
        c.stmt('DELETE FROM endpoint_circuit WHERE endpoint_id = ?').run(endpointId);
      });
    },

    async listCircuits(endpointIds) {
      const rows = endpointIds === undefined
        ? c.stmt('SELECT * FROM endpoint_circuit ORDER BY endpoint_id').all()
        : c.stmt('SELECT * FROM endpoint_circuit WHERE endpoint_id IN (SELECT value FROM json_each(?)) ORDER BY endpoint_id').all(JSON.stringify(endpointIds));
      return (rows as Row[]).map(toCircuit);
    },
  };
}
