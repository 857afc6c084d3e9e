import { INBOUND_COLUMNS, SOURCE_COLUMNS, inboundValues, sealVerification, sourceValues, toInboundRequest, toSource } from '../common/inbound-rows.ts';
import type { Source } from '../inbound-types.ts';
import type { InboundStore } from '../slices/inbound.ts';
import { deleteAppRows, insertApp } from './catalog.ts';
import type { SqliteConnection } from './connection.ts';
import { checkKeyUnchanged } from './secrets.ts';
import { bindable, conflictOnUnique, paginate, placeholders } from './sql.ts';

type Row = Record<string, any>;

/** By id first, else by uid. */
const SOURCE_BY_REF = 'SELECT * FROM source WHERE id = ? OR uid = ? ORDER BY id = ? DESC LIMIT 1';

/** The inbound gateway: sources and the requests they received. */
export function sqliteInbound(c: SqliteConnection): InboundStore {
  const mapSource = (row: Row): Source => toSource(row, c.secrets);
  return {
    createSource(source, app) {
      return c.writes.run(() => conflictOnUnique('A source or application with this uid', () => {
        checkKeyUnchanged(c);
        insertApp(c, app);
        c.stmt(`INSERT INTO source (${SOURCE_COLUMNS}) VALUES (${placeholders(SOURCE_COLUMNS)})`).run(...bindable(sourceValues(source, c.secrets)));
      }));
    },

    async getSource(ref) {
      const row = c.stmt(SOURCE_BY_REF).get(ref, ref, ref);
      return row ? mapSource(row as Row) : undefined;
    },

    async listSources(page) {
      return paginate(c.db, 'SELECT * FROM source', '1=1', [], 'id', page, mapSource, (s) => s.id);
    },

    updateSource(s) {
      return c.writes.run(() => conflictOnUnique('A source with this uid', () => {
        checkKeyUnchanged(c);
        c.stmt(
          `UPDATE source SET uid = ?, name = ?, verification = ?, response_status = ?, response_body = ?, response_content_type = ?,
           inspect = ?, dedupe_window = ?, sign_forwarded = ?, updated_at = ? WHERE id = ?`,
        ).run(s.uid, s.name, sealVerification(s, c.secrets), s.response.status, s.response.body, s.response.contentType,
          +s.inspect, s.dedupeWindowSeconds, +s.signForwarded, s.updatedAt, s.id);
      }));
    },

    deleteSource(id) {
      return c.writes.run(() => {
        const source = c.stmt(SOURCE_BY_REF).get(id, id, id) as Row | undefined;
        // The application goes, and everything of the source with it (foreign keys cascade; attempts explicitly).
        if (source) deleteAppRows(c, source.app_id);
      });
    },

    storeInboundRequest(request, dedupeSince) {
      return c.writes.run(() => {
        let duplicateOf: string | null = null;
        if (request.providerId !== null && dedupeSince !== null) {
          duplicateOf = (c.stmt(
            `SELECT id FROM inbound_request WHERE source_id = ? AND provider_id = ? AND status = 'accepted' AND received_at >= ? ORDER BY id LIMIT 1`,
          ).pluck().get(request.sourceId, request.providerId, dedupeSince) as string | undefined) ?? null;
        }
        const stored = duplicateOf ? { ...request, status: 'duplicate' as const, reason: `duplicate of ${duplicateOf}` } : request;
        c.stmt(`INSERT INTO inbound_request (${INBOUND_COLUMNS}) VALUES (${placeholders(INBOUND_COLUMNS)})`).run(...inboundValues(stored));
        return { duplicateOf };
      });
    },

    settleInboundRequest(id, status, messageId, reason) {
      return c.writes.run(() => {
        c.stmt('UPDATE inbound_request SET status = ?, message_id = ?, reason = ? WHERE id = ?').run(status, messageId, reason, id);
      });
    },

    async getInboundRequest(sourceId, id) {
      const row = c.stmt('SELECT * FROM inbound_request WHERE source_id = ? AND id = ?').get(sourceId, id);
      return row ? toInboundRequest(row as Row) : undefined;
    },

    async listInboundRequests(sourceId, filter, page) {
      const conditions: [string, unknown][] = [['source_id = ?', sourceId]];
      if (filter.status) conditions.push(['status = ?', filter.status]);
      if (filter.since !== undefined) conditions.push(['received_at >= ?', filter.since]);
      if (filter.until !== undefined) conditions.push(['received_at < ?', filter.until]);
      return paginate(
        c.db, 'SELECT * FROM inbound_request', conditions.map(([sql]) => sql).join(' AND '), conditions.map(([, v]) => v),
        'id', page, toInboundRequest, (q) => q.id,
      );
    },

    pruneInboundRequests(cutoff, limit) {
      return c.writes.run(() =>
        c.stmt('DELETE FROM inbound_request WHERE id IN (SELECT id FROM inbound_request WHERE received_at < ? LIMIT ?)').run(cutoff, limit).changes);
    },
  };
}
