import type pg from 'pg';
import type { EndpointTransformation, TransformationStore } from '../slices/transformations.ts';
import type { Row } from './context.ts';

const toTransformation = (r: Row): EndpointTransformation => ({ code: r.code, enabled: r.enabled, updatedAt: Number(r.updated_at) });

/** Endpoints' transformations. */
export function postgresTransformations(pool: pg.Pool): TransformationStore {
  return {
    async getEndpointTransformation(endpointId) {
      const { rows } = await pool.query('SELECT * FROM endpoint_transformation WHERE endpoint_id = $1', [endpointId]);
      return rows[0] ? toTransformation(rows[0]) : { code: null, enabled: false, updatedAt: null };
    },

    async patchEndpointTransformation(endpointId, patch, now) {
      // One statement: nothing is written for an endpoint that is gone, and a field the patch leaves out keeps its value.
      const { rows } = await pool.query(
        `INSERT INTO endpoint_transformation (endpoint_id, code, enabled, updated_at)
         SELECT $1, $2, COALESCE($3::boolean, false), $5 WHERE EXISTS (SELECT 1 FROM endpoint WHERE id = $1)
         ON CONFLICT (endpoint_id) DO UPDATE SET
           code = CASE WHEN $4::boolean THEN excluded.code ELSE endpoint_transformation.code END,
           enabled = COALESCE($3::boolean, endpoint_transformation.enabled),
           updated_at = excluded.updated_at
         RETURNING code, enabled, updated_at`,
        [endpointId, patch.code ?? null, patch.enabled ?? null, patch.code !== undefined, now],
      );
      return rows[0] ? toTransformation(rows[0]) : undefined;
    },
  };
}
