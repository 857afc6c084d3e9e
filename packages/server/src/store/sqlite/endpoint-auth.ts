import { endpointAuthContext } from '../../security/secret-box.ts';
import type { EndpointAuth, EndpointAuthStore } from '../slices/endpoint-auth.ts';
import type { SqliteConnection } from './connection.ts';
import { checkKeyUnchanged } from './secrets.ts';

/** Endpoints' authentication: one sealed JSON value per endpoint. */
export function sqliteEndpointAuth(c: SqliteConnection): EndpointAuthStore {
  return {
    async getEndpointAuth(endpointId) {
      const row = c.stmt('SELECT sealed FROM endpoint_auth WHERE endpoint_id = ?').get(endpointId) as { sealed: string } | undefined;
      return row ? (JSON.parse(c.secrets.open(row.sealed, endpointAuthContext(endpointId))) as EndpointAuth) : null;
    },

    setEndpointAuth(endpointId, auth, now) {
      return c.writes.run(() => {
        if (!c.stmt('SELECT 1 FROM endpoint WHERE id = ?').get(endpointId)) return false;
        checkKeyUnchanged(c);
        c.stmt(
          `INSERT INTO endpoint_auth (endpoint_id, sealed, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (endpoint_id) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`,
        ).run(endpointId, c.secrets.seal(JSON.stringify(auth), endpointAuthContext(endpointId)), now);
        return true;
      });
    },

    clearEndpointAuth(endpointId) {
      return c.writes.run(() => c.stmt('DELETE FROM endpoint_auth WHERE endpoint_id = ?').run(endpointId).changes > 0);
    },
  };
}
