import type { EndpointTransformation, TransformationStore } from '../slices/transformations.ts';
import type { SqliteConnection } from './connection.ts';

type Row = Record<string, any>;

const NONE: EndpointTransformation = Object.freeze({ code: null, enabled: false, updatedAt: null });

const toTransformation = (r: Row | undefined): EndpointTransformation =>
  r ? { code: r.code, enabled: r.enabled === 1, updatedAt: r.updated_at } : { ...NONE };

/** Endpoints' transformations. */
export function sqliteTransformations(c: SqliteConnection): TransformationStore {
  const read = (endpointId: string) => toTransformation(c.stmt('SELECT * FROM endpoint_transformation WHERE endpoint_id = ?').get(endpointId) as Row | undefined);
  return {
    async getEndpointTransformation(endpointId) {
      return read(endpointId);
    },

    patchEndpointTransformation(endpointId, patch, now) {
      return c.writes.run(() => {
        if (!c.stmt('SELECT 1 FROM endpoint WHERE id = ?').get(endpointId)) return undefined;
        const current = read(endpointId);
        const next: EndpointTransformation = {
          code: patch.code === undefined ? current.code : patch.code,
          enabled: patch.enabled ?? current.enabled,
          updatedAt: now,
        };
        c.stmt(
          `INSERT INTO endpoint_transformation (endpoint_id, code, enabled, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (endpoint_id) DO UPDATE SET code = excluded.code, enabled = excluded.enabled, updated_at = excluded.updated_at`,
        ).run(endpointId, next.code, next.enabled ? 1 : 0, now);
        return next;
      });
    },
  };
}
