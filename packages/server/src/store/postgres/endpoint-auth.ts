import { endpointAuthContext } from '../../security/secret-box.ts';
import type { EndpointAuth, EndpointAuthStore } from '../slices/endpoint-auth.ts';
import type { PgContext } from './context.ts';
import { sealing } from './secrets.ts';

/** Endpoints' authentication: one sealed JSON value per endpoint. */
export function postgresEndpointAuth(ctx: PgContext): EndpointAuthStore {
  const { pool } = ctx;
  return {
    async getEndpointAuth(endpointId) {
      const { rows } = await pool.query('SELECT sealed FROM endpoint_auth WHERE endpoint_id = $1', [endpointId]);
      return rows[0] ? (JSON.parse(ctx.secrets.open(rows[0].sealed, endpointAuthContext(endpointId))) as EndpointAuth) : null;
    },

    setEndpointAuth(endpointId, auth, now) {
      // One statement: nothing is written for an endpoint that is gone.
      return sealing(ctx, async (client) => {
        const { rowCount } = await client.query(
          `INSERT INTO endpoint_auth (endpoint_id, sealed, updated_at)
           SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM endpoint WHERE id = $1)
           ON CONFLICT (endpoint_id) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`,
          [endpointId, ctx.secrets.seal(JSON.stringify(auth), endpointAuthContext(endpointId)), now],
        );
        return rowCount === 1;
      });
    },

    async clearEndpointAuth(endpointId) {
      const { rowCount } = await pool.query('DELETE FROM endpoint_auth WHERE endpoint_id = $1', [endpointId]);
      return (rowCount ?? 0) > 0;
    },
  };
}
