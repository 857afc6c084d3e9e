import type { Page, PageResult } from '../types.ts';
import type { ApiToken, AuditEntry, AuditFilter, TokenFilter } from '../access-types.ts';

/**
 * API tokens and the audit log.
 */
export interface AccessStore {
  createApiToken(token: ApiToken): Promise<void>;
  /** The token with this hash, expired or not (the caller decides). */
  findApiTokenByHash(tokenHash: string): Promise<ApiToken | undefined>;
  getApiToken(id: string): Promise<ApiToken | undefined>;
  listApiTokens(filter: TokenFilter, page: Page): Promise<PageResult<ApiToken>>;
  /** False when there was no such token. */
  deleteApiToken(id: string): Promise<boolean>;
  noteApiTokenUsed(id: string, at: number): Promise<void>;
  /** Retention: deletes tokens that expired before `before`; returns how many. */
  deleteExpiredApiTokens(before: number): Promise<number>;
  appendAuditEntry(entry: AuditEntry): Promise<void>;
  listAuditEntries(filter: AuditFilter, page: Page): Promise<PageResult<AuditEntry>>;
}
