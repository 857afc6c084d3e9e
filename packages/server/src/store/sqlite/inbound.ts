import type { App, Page, PageResult } from '../types.ts';
import type { InboundFilter, InboundRequest, InboundStatus, Source } from '../inbound-types.ts';
import { INBOUND_COLUMNS, SOURCE_COLUMNS, inboundValues, sealVerification, sourceValues, toInboundRequest, toSource } from '../common/inbound-rows.ts';
import { SqliteAccess } from './access.ts';
import { conflictOnUnique } from './catalog.ts';
import { bindable, paginate, placeholders } from './rows.ts';

type Row = Record<string, any>;

/** The inbound gateway: sources and the requests they received. */
export class SqliteInbound extends SqliteAccess {
  private readonly mapSource = (row: Row): Source => toSource(row, this.secrets);

  createSource(source: Source, app: App): Promise<void> {
    return this.writes.run(() => conflictOnUnique('A source or application with this uid', () => {
      this.checkKeyUnchanged();
      this.insertApp(app);
      this.stmt(`INSERT INTO source (${SOURCE_COLUMNS}) VALUES (${placeholders(SOURCE_COLUMNS)})`).run(...bindable(sourceValues(source, this.secrets)));
    }));
  }

  async getSource(ref: string): Promise<Source | undefined> {
    const row = this.stmt('SELECT * FROM source WHERE id = ? OR uid = ? ORDER BY id = ? DESC LIMIT 1').get(ref, ref, ref);
    return row ? this.mapSource(row as Row) : undefined;
  }

  async listSources(page: Page): Promise<PageResult<Source>> {
    return paginate(this.db, 'SELECT * FROM source', '1=1', [], 'id', page, this.mapSource, (s) => s.id);
  }

  updateSource(s: Source): Promise<void> {
    return this.writes.run(() => conflictOnUnique('A source with this uid', () => {
      this.checkKeyUnchanged();
      this.stmt(
        `UPDATE source SET uid = ?, name = ?, verification = ?, response_status = ?, response_body = ?, response_content_type = ?,
         inspect = ?, dedupe_window = ?, sign_forwarded = ?, updated_at = ? WHERE id = ?`,
      ).run(s.uid, s.name, sealVerification(s, this.secrets), s.response.status, s.response.body, s.response.contentType,
        +s.inspect, s.dedupeWindowSeconds, +s.signForwarded, s.updatedAt, s.id);
    }));
  }

  async deleteSource(id: string): Promise<void> {
    const source = await this.getSource(id);
    // The application goes, and everything of the source with it (foreign keys cascade; attempts explicitly).
    if (source) await this.deleteApp(source.appId);
  }

  storeInboundRequest(request: InboundRequest, dedupeSince: number | null): Promise<{ duplicateOf: string | null }> {
    return this.writes.run(() => {
      let duplicateOf: string | null = null;
      if (request.providerId !== null && dedupeSince !== null) {
        duplicateOf = (this.stmt(
          `SELECT id FROM inbound_request WHERE source_id = ? AND provider_id = ? AND status = 'accepted' AND received_at >= ? ORDER BY id LIMIT 1`,
        ).pluck().get(request.sourceId, request.providerId, dedupeSince) as string | undefined) ?? null;
      }
      const stored = duplicateOf ? { ...request, status: 'duplicate' as const, reason: `duplicate of ${duplicateOf}` } : request;
      this.stmt(`INSERT INTO inbound_request (${INBOUND_COLUMNS}) VALUES (${placeholders(INBOUND_COLUMNS)})`).run(...inboundValues(stored));
      return { duplicateOf };
    });
  }

  settleInboundRequest(id: string, status: InboundStatus, messageId: string | null, reason: string | null): Promise<void> {
    return this.writes.run(() => {
      this.stmt('UPDATE inbound_request SET status = ?, message_id = ?, reason = ? WHERE id = ?').run(status, messageId, reason, id);
    });
  }

  async getInboundRequest(sourceId: string, id: string): Promise<InboundRequest | undefined> {
    const row = this.stmt('SELECT * FROM inbound_request WHERE source_id = ? AND id = ?').get(sourceId, id);
    return row ? toInboundRequest(row as Row) : undefined;
  }

  async listInboundRequests(sourceId: string, filter: InboundFilter, page: Page): Promise<PageResult<InboundRequest>> {
    const conditions: [string, unknown][] = [['source_id = ?', sourceId]];
    if (filter.status) conditions.push(['status = ?', filter.status]);
    if (filter.since !== undefined) conditions.push(['received_at >= ?', filter.since]);
    if (filter.until !== undefined) conditions.push(['received_at < ?', filter.until]);
    return paginate(
      this.db, 'SELECT * FROM inbound_request', conditions.map(([sql]) => sql).join(' AND '), conditions.map(([, v]) => v),
      'id', page, toInboundRequest, (q) => q.id,
    );
  }

  pruneInboundRequests(cutoff: number, limit: number): Promise<number> {
    return this.writes.run(() =>
      this.stmt('DELETE FROM inbound_request WHERE id IN (SELECT id FROM inbound_request WHERE received_at < ? LIMIT ?)').run(cutoff, limit).changes);
  }
}
