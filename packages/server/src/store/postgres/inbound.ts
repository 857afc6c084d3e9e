import type { App, Page, PageResult } from '../types.ts';
import type { InboundFilter, InboundRequest, InboundStatus, Source } from '../inbound-types.ts';
import { INBOUND_COLUMNS, SOURCE_COLUMNS, inboundValues, sealVerification, sourceValues, toInboundRequest, toSource } from '../common/inbound-rows.ts';
import { PostgresAccess } from './access.ts';
import { conflictOnUnique } from './catalog.ts';
import { Binds, paginate, placeholders } from './rows.ts';

type Row = Record<string, any>;

/** The inbound gateway: sources and the requests they received. */
export class PostgresInbound extends PostgresAccess {
  private readonly mapSource = (row: Row): Source => toSource(row, this.secrets);

  createSource(source: Source, app: App): Promise<void> {
    return conflictOnUnique('A source or application with this uid', () => this.sealing(async (client) => {
      await this.insertApp(client, app);
      await client.query(`INSERT INTO source (${SOURCE_COLUMNS}) VALUES (${placeholders(SOURCE_COLUMNS)})`, sourceValues(source, this.secrets));
    }));
  }

  async getSource(ref: string): Promise<Source | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM source WHERE id = $1 OR uid = $1 ORDER BY id = $1 DESC LIMIT 1', [ref]);
    return rows[0] && this.mapSource(rows[0]);
  }

  listSources(page: Page): Promise<PageResult<Source>> {
    return paginate(this.pool, 'SELECT * FROM source', 'true', new Binds(), 'id', page, this.mapSource, (s) => s.id);
  }

  updateSource(s: Source): Promise<void> {
    return conflictOnUnique('A source with this uid', () => this.sealing(async (client) => {
      await client.query(
        `UPDATE source SET uid = $2, name = $3, verification = $4, response_status = $5, response_body = $6, response_content_type = $7,
         inspect = $8, dedupe_window = $9, sign_forwarded = $10, updated_at = $11 WHERE id = $1`,
        [s.id, s.uid, s.name, sealVerification(s, this.secrets), s.response.status, s.response.body, s.response.contentType,
          s.inspect, s.dedupeWindowSeconds, s.signForwarded, s.updatedAt],
      );
    }));
  }

  async deleteSource(id: string): Promise<void> {
    const source = await this.getSource(id);
    if (source) await this.deleteApp(source.appId);
  }

  async storeInboundRequest(request: InboundRequest, dedupeSince: number | null): Promise<{ duplicateOf: string | null }> {
    if (request.providerId === null || dedupeSince === null) {
      await this.pool.query(`INSERT INTO inbound_request (${INBOUND_COLUMNS}) VALUES (${placeholders(INBOUND_COLUMNS)})`, inboundValues(request));
      return { duplicateOf: null };
    }
    // One statement: the look for an earlier accepted request and the insert see the same snapshot.
    const { rows } = await this.pool.query(
      `WITH earlier AS (
         SELECT id FROM inbound_request WHERE source_id = $2 AND provider_id = $12 AND status = 'accepted' AND received_at >= $15::bigint ORDER BY id LIMIT 1
       )
       INSERT INTO inbound_request (${INBOUND_COLUMNS})
       SELECT $1::text, $2::text, $3::bigint, $4::text, $5::text, $6::text, $7::jsonb, $8::bytea, $9::text,
              CASE WHEN EXISTS (SELECT FROM earlier) THEN 'duplicate' ELSE $10::text END,
              COALESCE((SELECT 'duplicate of ' || id FROM earlier), $11::text), $12::text, $13::text, $14::text
       RETURNING (SELECT id FROM earlier) AS duplicate_of`,
      [...inboundValues(request), dedupeSince],
    );
    return { duplicateOf: rows[0]?.duplicate_of ?? null };
  }

  async settleInboundRequest(id: string, status: InboundStatus, messageId: string | null, reason: string | null): Promise<void> {
    await this.pool.query('UPDATE inbound_request SET status = $2, message_id = $3, reason = $4 WHERE id = $1', [id, status, messageId, reason]);
  }

  async getInboundRequest(sourceId: string, id: string): Promise<InboundRequest | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM inbound_request WHERE source_id = $1 AND id = $2', [sourceId, id]);
    return rows[0] && toInboundRequest(rows[0]);
  }

  listInboundRequests(sourceId: string, filter: InboundFilter, page: Page): Promise<PageResult<InboundRequest>> {
    const binds = new Binds();
    const where = [`source_id = ${binds.add(sourceId)}`];
    if (filter.status) where.push(`status = ${binds.add(filter.status)}`);
    if (filter.since !== undefined) where.push(`received_at >= ${binds.add(filter.since)}`);
    if (filter.until !== undefined) where.push(`received_at < ${binds.add(filter.until)}`);
    return paginate(this.pool, 'SELECT * FROM inbound_request', where.join(' AND '), binds, 'id', page, toInboundRequest, (q) => q.id);
  }

  async pruneInboundRequests(cutoff: number, limit: number): Promise<number> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM inbound_request WHERE id IN (SELECT id FROM inbound_request WHERE received_at < $1 LIMIT $2)', [cutoff, limit]);
    return rowCount ?? 0;
  }
}
