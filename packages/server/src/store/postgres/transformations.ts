import type pg from 'pg';
import type { Transformation, TransformationPatch, TransformationStore } from '../slices/transformations.ts';
import type { Row } from './context.ts';

/** The two tables alike: each holds one transformation per owner row, gone with it. */
const OWNERS = {
  endpoint: { table: 'endpoint_transformation', key: 'endpoint_id', owner: 'endpoint' },
  source: { table: 'source_transformation', key: 'source_id', owner: 'source' },
} as const;
type Owner = (typeof OWNERS)[keyof typeof OWNERS];

const toTransformation = (r: Row): Transformation => ({ code: r.code, enabled: r.enabled, updatedAt: Number(r.updated_at) });

/** Endpoints' and sources' transformations. */
export function postgresTransformations(pool: pg.Pool): TransformationStore {
  const read = async ({ table, key }: Owner, id: string) => {
    const { rows } = await pool.query(`SELECT * FROM ${table} WHERE ${key} = $1`, [id]);
    return rows[0] ? toTransformation(rows[0]) : { code: null, enabled: false, updatedAt: null };
  };

  const patch = async ({ table, key, owner }: Owner, id: string, change: TransformationPatch, now: number) => {
    // One statement: nothing is written for an owner that is gone, and a field the patch leaves out keeps its value.
    const { rows } = await pool.query(
      `INSERT INTO ${table} (${key}, code, enabled, updated_at)
       SELECT $1, $2, COALESCE($3::boolean, false), $5 WHERE EXISTS (SELECT 1 FROM ${owner} WHERE id = $1)
       ON CONFLICT (${key}) DO UPDATE SET
         code = CASE WHEN $4::boolean THEN excluded.code ELSE ${table}.code END,
         enabled = COALESCE($3::boolean, ${table}.enabled),
         updated_at = excluded.updated_at
       RETURNING code, enabled, updated_at`,
      [id, change.code ?? null, change.enabled ?? null, change.code !== undefined, now],
    );
    return rows[0] ? toTransformation(rows[0]) : undefined;
  };

  return {
    getEndpointTransformation: (endpointId) => read(OWNERS.endpoint, endpointId),
    patchEndpointTransformation: (endpointId, change, now) => patch(OWNERS.endpoint, endpointId, change, now),
    getSourceTransformation: (sourceId) => read(OWNERS.source, sourceId),
    patchSourceTransformation: (sourceId, change, now) => patch(OWNERS.source, sourceId, change, now),
  };
}
