import type pg from 'pg';
import { API_TOKEN_COLUMNS, AUDIT_COLUMNS, apiTokenValues, auditValues, toApiToken, toAuditEntry } from '../common/access-rows.ts';
import { conflictOnUnique } from '../common/unique.ts';
import type { AccessStore } from '../slices/access.ts';
import { isUniqueViolation } from './context.ts';
import { Binds, paginate, placeholders } from './rows.ts';

/** API tokens and the audit log. */
export function postgresAccess(pool: pg.Pool): AccessStore {
  return {
    createApiToken(token) {
      return conflictOnUnique(isUniqueViolation, 'A token with this id', async () => {
        await pool.query(`INSERT INTO api_token (${API_TOKEN_COLUMNS}) VALUES (${placeholders(API_TOKEN_COLUMNS)})`, apiTokenValues(token));
      });
    },

    async findApiTokenByHash(tokenHash) {
      const { rows } = await pool.query('SELECT * FROM api_token WHERE token_hash = $1', [tokenHash]);
      return rows[0] && toApiToken(rows[0]);
    },

    async getApiToken(id) {
      const { rows } = await pool.query('SELECT * FROM api_token WHERE id = $1', [id]);
      return rows[0] && toApiToken(rows[0]);
    },

    listApiTokens(filter, page) {
      const binds = new Binds();
      return paginate(pool, 'SELECT * FROM api_token', `portal = ${binds.add(filter.portal ?? false)}`, binds, 'id', page, toApiToken, (t) => t.id);
    },

    async deleteApiToken(id) {
      const { rowCount } = await pool.query('DELETE FROM api_token WHERE id = $1', [id]);
      return (rowCount ?? 0) > 0;
    },

    async noteApiTokenUsed(id, at) {
      await pool.query('UPDATE api_token SET last_used_at = $2 WHERE id = $1', [id, at]);
    },

    async deleteExpiredApiTokens(before) {
      const { rowCount } = await pool.query('DELETE FROM api_token WHERE expires_at < $1', [before]);
      return rowCount ?? 0;
    },

    async appendAuditEntry(entry) {
      await pool.query(`INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES (${placeholders(AUDIT_COLUMNS)})`, auditValues(entry));
    },

    listAuditEntries(filter, page) {
      const binds = new Binds();
      const where = ['true'];
      if (filter.appId) where.push(`app_id = ${binds.add(filter.appId)}`);
      if (filter.actorId) where.push(`actor_id = ${binds.add(filter.actorId)}`);
      if (filter.since !== undefined) where.push(`at >= ${binds.add(filter.since)}`);
      if (filter.until !== undefined) where.push(`at < ${binds.add(filter.until)}`);
      return paginate(pool, 'SELECT * FROM audit_log', where.join(' AND '), binds, 'id', page, toAuditEntry, (e) => e.id);
    },
  };
}
