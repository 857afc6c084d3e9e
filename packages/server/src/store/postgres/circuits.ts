import type pg from 'pg';
import type { CircuitStore } from '../slices/circuits.ts';
import type { CircuitState } from '../types.ts';
import type { Row } from './context.ts';

const toCircuit = (r: Row): CircuitState => ({
  endpointId: r.endpoint_id, openedAt: Number(r.opened_at), failures: r.failures, probeDelayMs: r.probe_delay_ms,
  nextProbeAt: r.next_probe_at === null ? null : Number(r.next_probe_at),
});

/** Endpoints' open circuit breakers, shared by every worker. */
export function postgresCircuits(pool: pg.Pool): CircuitStore {
  return {
    async saveCircuit(state, now) {
      await pool.query(
        `INSERT INTO endpoint_circuit (endpoint_id, opened_at, failures, probe_delay_ms, next_probe_at, updated_at)
         SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM endpoint WHERE id = $1)
         ON CONFLICT (endpoint_id) DO UPDATE SET opened_at = excluded.opened_at, failures = excluded.failures,
           probe_delay_ms = excluded.probe_delay_ms, next_probe_at = excluded.next_probe_at, updated_at = excluded.updated_at`,
        [state.endpointId, state.openedAt, state.failures, state.probeDelayMs, state.nextProbeAt, now],
      );
    },

    async clearCircuit(endpointId) {
      await pool.query('DELETE FROM endpoint_circuit WHERE endpoint_id = $1', [endpointId]);
    },

    async listCircuits(endpointIds) {
      const { rows } = endpointIds === undefined
        ? await pool.query('SELECT * FROM endpoint_circuit ORDER BY endpoint_id')
        : await pool.query('SELECT * FROM endpoint_circuit WHERE endpoint_id = ANY($1::text[]) ORDER BY endpoint_id', [endpointIds]);
      return rows.map(toCircuit);
    },
  };
}
