import type { ApiToken, AuditEntry, AuditFilter, TokenFilter } from '../access-types.ts';
import { API_TOKEN_COLUMNS, AUDIT_COLUMNS, apiTokenValues, auditValues, toApiToken, toAuditEntry } from '../common/access-rows.ts';
import type { Page, PageResult } from '../types.ts';
import { conflictOnUnique } from './catalog.ts';
import { bindable, paginate, placeholders } from './rows.ts';
import { SqliteTasks } from './tasks.ts';

type Row = Record<string, any>;

/** API tokens and the audit log. */
export class SqliteAccess extends SqliteTasks {
  createApiToken(token: ApiToken): Promise<void> {
    return this.writes.run(() => conflictOnUnique('A token with this id', () => {
      this.stmt(`INSERT INTO api_token (${API_TOKEN_COLUMNS}) VALUES (${placeholders(API_TOKEN_COLUMNS)})`).run(...bindable(apiTokenValues(token)));
    }));
  }

  async findApiTokenByHash(tokenHash: string): Promise<ApiToken | undefined> {
    const row = this.stmt('SELECT * FROM api_token WHERE token_hash = ?').get(tokenHash);
    return row ? toApiToken(row as Row) : undefined;
  }

  async getApiToken(id: string): Promise<ApiToken | undefined> {
    const row = this.stmt('SELECT * FROM api_token WHERE id = ?').get(id);
    return row ? toApiToken(row as Row) : undefined;
  }

  async listApiTokens(filter: TokenFilter, page: Page): Promise<PageResult<ApiToken>> {
    return paginate(this.db, 'SELECT * FROM api_token', 'portal = ?', [filter.portal ? 1 : 0], 'id', page, toApiToken, (t) => t.id);
  }

  deleteApiToken(id: string): Promise<boolean> {
    return this.writes.run(() => this.stmt('DELETE FROM api_token WHERE id = ?').run(id).changes > 0);
  }

  noteApiTokenUsed(id: string, at: number): Promise<void> {
    return this.writes.run(() => {
      this.stmt('UPDATE api_token SET last_used_at = ? WHERE id = ?').run(at, id);
    });
  }

  deleteExpiredApiTokens(before: number): Promise<number> {
    return this.writes.run(() => this.stmt('DELETE FROM api_token WHERE expires_at < ?').run(before).changes);
  }

  appendAuditEntry(entry: AuditEntry): Promise<void> {
    return this.writes.run(() => {
      this.stmt(`INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES (${placeholders(AUDIT_COLUMNS)})`).run(...auditValues(entry));
    });
  }

  async listAuditEntries(filter: AuditFilter, page: Page): Promise<PageResult<AuditEntry>> {
    const conditions: [string, unknown][] = [];
    if (filter.appId) conditions.push(['app_id = ?', filter.appId]);
    if (filter.actorId) conditions.push(['actor_id = ?', filter.actorId]);
    if (filter.since !== undefined) conditions.push(['at >= ?', filter.since]);
    if (filter.until !== undefined) conditions.push(['at < ?', filter.until]);
    const where = ['1=1', ...conditions.map(([sql]) => sql)];
    const params = conditions.map(([, value]) => value);
    return paginate(this.db, 'SELECT * FROM audit_log', where.join(' AND '), params, 'id', page, toAuditEntry, (e) => e.id);
  }
}
