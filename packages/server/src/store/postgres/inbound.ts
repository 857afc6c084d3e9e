import { INBOUND_COLUMNS, SOURCE_COLUMNS, inboundValues, sealVerification, sourceValues, toInboundRequest, toSource } from '../common/inbound-rows.ts';
import { conflictOnUnique } from '../common/unique.ts';
import type { InboundStore } from '../slices/inbound.ts';
import type { Source } from '../inbound-types.ts';
import { deleteApp, insertApp } from './app-sql.ts';
import { isUniqueViolation, type PgContext, type Row } from './context.ts';
import { Binds, paginate, placeholders } from './rows.ts';
import { sealing } from './secrets.ts';

/** A source by id or uid; an id match wins over a uid match. */
const SOURCE_BY_REF = 'SELECT * FROM source WHERE id = $1 OR uid = $1 ORDER BY id = $1 DESC LIMIT 1';

/** The inbound gateway: sources and the requests they received. */
export function postgresInbound(ctx: PgContext): InboundStore {
  const { pool } = ctx;
  const mapSource = (row: Row): Source => toSource(row, ctx.secrets);
  return {
    createSource(source, app) {
      return conflictOnUnique(isUniqueViolation, 'A source or application with this uid', () => sealing(ctx, async (client) => {
        await insertApp(client, app);
        await client.query(`INSERT INTO source (${SOURCE_COLUMNS}) VALUES (${placeholders(SOURCE_COLUMNS)})`, sourceValues(source, ctx.secrets));
      }));
    },

    async getSource(ref) {
      const { rows } = await pool.query(SOURCE_BY_REF, [ref]);
      return rows[0] && mapSource(rows[0]);
    },

    listSources(page) {
      return paginate(pool, 'SELECT * FROM source', 'true', new Binds(), 'id', page, mapSource, (s) => s.id);
    },

    updateSource(s) {
      return conflictOnUnique(isUniqueViolation, 'A source with this uid', () => sealing(ctx, async (client) => {
        await client.query(
          `UPDATE source SET uid = $2, name = $3, verification = $4, response_status = $5, response_body = $6, response_content_type = $7,
           inspect = $8, dedupe_window = $9, sign_forwarded = $10, updated_at = $11 WHERE id = $1`,
          [s.id, s.uid, s.name, sealVerification(s, ctx.secrets), s.response.status, s.response.body, s.response.contentType,
            s.inspect, s.dedupeWindowSeconds, s.signForwarded, s.updatedAt],
        );
      }));
    },

    async deleteSource(id) {
      // The source goes with its application (by foreign key), as do its destinations, messages and requests.
      const { rows } = await pool.query(SOURCE_BY_REF, [id]);
      if (rows[0]) await deleteApp(pool, rows[0].app_id);
    },

    async storeInboundRequest(request, dedupeSince) {
      if (request.providerId === null || dedupeSince === null) {
        await pool.query(`INSERT INTO inbound_request (${INBOUND_COLUMNS}) VALUES (${placeholders(INBOUND_COLUMNS)})`, inboundValues(request));
        return { duplicateOf: null };
      }
      // One statement: the look for an earlier accepted request and the insert see the same snapshot.
      const { rows } = await pool.query(
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
    },

    async settleInboundRequest(id, status, messageId, reason) {
      await pool.query('UPDATE inbound_request SET status = $2, message_id = $3, reason = $4 WHERE id = $1', [id, status, messageId, reason]);
    },

    async getInboundRequest(sourceId, id) {
      const { rows } = await pool.query('SELECT * FROM inbound_request WHERE source_id = $1 AND id = $2', [sourceId, id]);
      return rows[0] && toInboundRequest(rows[0]);
    },

    listInboundRequests(sourceId, filter, page) {
      const binds = new Binds();
      const where = [`source_id = ${binds.add(sourceId)}`];
      if (filter.status) where.push(`status = ${binds.add(filter.status)}`);
      if (filter.since !== undefined) where.push(`received_at >= ${binds.add(filter.since)}`);
      if (filter.until !== undefined) where.push(`received_at < ${binds.add(filter.until)}`);
      return paginate(pool, 'SELECT * FROM inbound_request', where.join(' AND '), binds, 'id', page, toInboundRequest, (q) => q.id);
    },

    async pruneInboundRequests(cutoff, limit) {
      const { rowCount } = await pool.query(
        'DELETE FROM inbound_request WHERE id IN (SELECT id FROM inbound_request WHERE received_at < $1 LIMIT $2)', [cutoff, limit]);
      return rowCount ?? 0;
    },
  };
}
