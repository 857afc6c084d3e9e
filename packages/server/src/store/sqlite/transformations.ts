import type { Transformation, TransformationPatch, TransformationStore } from '../slices/transformations.ts';
import type { SqliteConnection } from './connection.ts';

type Row = Record<string, any>;

/** The two tables alike: each holds one transformation per owner row, gone with it. */
const OWNERS = {
  endpoint: { table: 'endpoint_transformation', key: 'endpoint_id', owner: 'endpoint' },
  source: { table: 'source_transformation', key: 'source_id', owner: 'source' },
} as const;

const toTransformation = (r: Row | undefined): Transformation =>
  r ? { code: r.code, enabled: r.enabled === 1, updatedAt: r.updated_at } : { code: null, enabled: false, updatedAt: null };

/** Endpoints' and sources' transformations. */
export function sqliteTransformations(c: SqliteConnection): TransformationStore {
  const read = ({ table, key }: (typeof OWNERS)[keyof typeof OWNERS], id: string) =>
    toTransformation(c.stmt(`SELECT * FROM ${table} WHERE ${key} = ?`).get(id) as Row | undefined);

  const patch = (owner: (typeof OWNERS)[keyof typeof OWNERS], id: string, change: TransformationPatch, now: number) =>
    c.writes.run(() => {
      if (!c.stmt(`SELECT 1 FROM ${owner.owner} WHERE id = ?`).get(id)) return undefined;
      const current = read(owner, id);
      const next: Transformation = {
        code: change.code === undefined ? current.code : change.code,
        enabled: change.enabled ?? current.enabled,
        updatedAt: now,
      };
      c.stmt(
        `INSERT INTO ${owner.table} (${owner.key}, code, enabled, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (${owner.key}) DO UPDATE SET code = excluded.code, enabled = excluded.enabled, updated_at = excluded.updated_at`,
      ).run(id, next.code, next.enabled ? 1 : 0, now);
      return next;
    });

  return {
    getEndpointTransformation: async (endpointId) => read(OWNERS.endpoint, endpointId),
    patchEndpointTransformation: (endpointId, change, now) => patch(OWNERS.endpoint, endpointId, change, now),
    getSourceTransformation: async (sourceId) => read(OWNERS.source, sourceId),
    patchSourceTransformation: (sourceId, change, now) => patch(OWNERS.source, sourceId, change, now),
  };
}
