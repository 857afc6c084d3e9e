import type { ApiToken, AuditEntry, AuditFilter, TokenFilter } from '../access-types.ts';
import { API_TOKEN_COLUMNS, AUDIT_COLUMNS, apiTokenValues, auditValues, toApiToken, toAuditEntry } from '../common/access-rows.ts';
import type { Page, PageResult } from '../types.ts';
import { conflictOnUnique } from './catalog.ts';
import { Binds, paginate, placeholders } from './rows.ts';
import { PostgresTasks } from './tasks.ts';

/** API tokens and the audit log. */
export class PostgresAccess extends PostgresTasks {
  createApiToken(token: ApiToken): Promise<void> {
    return conflictOnUnique('A token with this id', async () => {
      await this.pool.query(`INSERT INTO api_token (${API_TOKEN_COLUMNS}) VALUES (${placeholders(API_TOKEN_COLUMNS)})`, apiTokenValues(token));
    });
  }

  async findApiTokenByHash(tokenHash: string): Promise<ApiToken | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM api_token WHERE token_hash = $1', [tokenHash]);
    return rows[0] && toApiToken(rows[0]);
  }

  async getApiToken(id: string): Promise<ApiToken | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM api_token WHERE id = $1', [id]);
    return rows[0] && toApiToken(rows[0]);
  }

  listApiTokens(filter: TokenFilter, page: Page): Promise<PageResult<ApiToken>> {
    const binds = new Binds();
    return paginate(this.pool, 'SELECT * FROM api_token', `portal = ${binds.add(filter.portal ?? false)}`, binds, 'id', page, toApiToken, (t) => t.id);
  }

  async deleteApiToken(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM api_token WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }

  async noteApiTokenUsed(id: string, at: number): Promise<void> {
    await this.pool.query('UPDATE api_token SET last_used_at = $2 WHERE id = $1', [id, at]);
  }

  async deleteExpiredApiTokens(before: number): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM api_token WHERE expires_at < $1', [before]);
    return rowCount ?? 0;
  }

  async appendAuditEntry(entry: AuditEntry): Promise<void> {
    await this.pool.query(`INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES (${placeholders(AUDIT_COLUMNS)})`, auditValues(entry));
  }

  listAuditEntries(filter: AuditFilter, page: Page): Promise<PageResult<AuditEntry>> {
    const binds = new Binds();
    const where = ['true'];
    if (filter.appId) where.push(`app_id = ${binds.add(filter.appId)}`);
    if (filter.actorId) where.push(`actor_id = ${binds.add(filter.actorId)}`);
    if (filter.since !== undefined) where.push(`at >= ${binds.add(filter.since)}`);
    if (filter.until !== undefined) where.push(`at < ${binds.add(filter.until)}`);
    return paginate(this.pool, 'SELECT * FROM audit_log', where.join(' AND '), binds, 'id', page, toAuditEntry, (e) => e.id);
  }
}
