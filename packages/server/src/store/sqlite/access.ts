import { API_TOKEN_COLUMNS, AUDIT_COLUMNS, apiTokenValues, auditValues, toApiToken, toAuditEntry } from '../common/access-rows.ts';
import type { AccessStore } from '../slices/access.ts';
import type { SqliteConnection } from './connection.ts';
import { bindable, conflictOnUnique, paginate, placeholders } from './sql.ts';

type Row = Record<string, any>;

/** API tokens and the audit log. */
export function sqliteAccess(c: SqliteConnection): AccessStore {
  return {
    createApiToken(token) {
      return c.writes.run(() => conflictOnUnique('A token with this id', () => {
        c.stmt(`INSERT INTO api_token (${API_TOKEN_COLUMNS}) VALUES (${placeholders(API_TOKEN_COLUMNS)})`).run(...bindable(apiTokenValues(token)));
      }));
    },

    async findApiTokenByHash(tokenHash) {
      const row = c.stmt('SELECT * FROM api_token WHERE token_hash = ?').get(tokenHash);
      return row ? toApiToken(row as Row) : undefined;
    },

    async getApiToken(id) {
      const row = c.stmt('SELECT * FROM api_token WHERE id = ?').get(id);
      return row ? toApiToken(row as Row) : undefined;
    },

    async listApiTokens(filter, page) {
      return paginate(c.db, 'SELECT * FROM api_token', 'portal = ?', [filter.portal ? 1 : 0], 'id', page, toApiToken, (t) => t.id);
    },

    deleteApiToken(id) {
      return c.writes.run(() => c.stmt('DELETE FROM api_token WHERE id = ?').run(id).changes > 0);
    },

    noteApiTokenUsed(id, at) {
      return c.writes.run(() => {
        c.stmt('UPDATE api_token SET last_used_at = ? WHERE id = ?').run(at, id);
      });
    },

    deleteExpiredApiTokens(before) {
      return c.writes.run(() => c.stmt('DELETE FROM api_token WHERE expires_at < ?').run(before).changes);
    },

    appendAuditEntry(entry) {
      return c.writes.run(() => {
        c.stmt(`INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES (${placeholders(AUDIT_COLUMNS)})`).run(...auditValues(entry));
      });
    },

    async listAuditEntries(filter, page) {
      const conditions: [string, unknown][] = [];
      if (filter.appId) conditions.push(['app_id = ?', filter.appId]);
      if (filter.actorId) conditions.push(['actor_id = ?', filter.actorId]);
      if (filter.since !== undefined) conditions.push(['at >= ?', filter.since]);
      if (filter.until !== undefined) conditions.push(['at < ?', filter.until]);
      const where = ['1=1', ...conditions.map(([sql]) => sql)];
      const params = conditions.map(([, value]) => value);
      return paginate(c.db, 'SELECT * FROM audit_log', where.join(' AND '), params, 'id', page, toAuditEntry, (e) => e.id);
    },
  };
}
