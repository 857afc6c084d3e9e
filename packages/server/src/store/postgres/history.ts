import type pg from 'pg';
import { DELIVERY_TALLY_SELECT, ENDPOINT_DELIVERIES_SELECT, splitEndpointDelivery, toDeliveryTallies } from '../common/shared-sql.ts';
import { toAttempt, toDelivery } from '../common/rows.ts';
import type { HistoryStore } from '../slices/history.ts';
import { Status, type MessageFilter } from '../types.ts';
import type { DueNotices } from './bus.ts';
import { messageWriter } from './message-writes.ts';
import { Binds, paginate, toMessage } from './rows.ts';

/** Conditions on a message aliased `m`, shared by message, delivery and attempt listings. */
function messageConditions(filter: MessageFilter, timeColumn: string, binds: Binds): string {
  let sql = '';
  if (filter.channel !== undefined) sql += ` AND m.channels @> jsonb_build_array(${binds.add(filter.channel)}::text)`;
  if (filter.anyChannel !== undefined) sql += ` AND m.channels ?| ${binds.add(filter.anyChannel)}::text[]`;
  if (filter.tag !== undefined) sql += ` AND m.tags @> jsonb_build_array(${binds.add(filter.tag)}::text)`;
  if (filter.eventTypes && filter.eventTypes.length > 0) sql += ` AND m.event_type = ANY(${binds.add(filter.eventTypes)}::text[])`;
  if (filter.before !== undefined) sql += ` AND ${timeColumn} < ${binds.add(filter.before)}`;
  if (filter.after !== undefined) sql += ` AND ${timeColumn} > ${binds.add(filter.after)}`;
  return sql;
}

/** Messages, their deliveries and attempts, retention and idempotency records. */
export function postgresHistory(pool: pg.Pool, notices: DueNotices): HistoryStore {
  return {
    async getIdempotentResponse(scope, key, now) {
      const { rows } = await pool.query('SELECT status_code, body FROM idempotency WHERE scope = $1 AND key = $2 AND expires_at > $3', [
        scope, key, now,
      ]);
      return rows[0] && { statusCode: rows[0].status_code, body: rows[0].body };
    },

    async putIdempotentResponse(scope, key, response, expiresAt) {
      await pool.query(
        `INSERT INTO idempotency (scope, key, status_code, body, expires_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (scope, key) DO UPDATE SET status_code = excluded.status_code, body = excluded.body, expires_at = excluded.expires_at`,
        [scope, key, response.statusCode, response.body, expiresAt],
      );
    },

    createMessage: messageWriter(pool, notices),

    async getMessage(appId, ref) {
      // An id match wins over an eventId match.
      const { rows } = await pool.query(
        'SELECT * FROM message WHERE app_id = $1 AND (id = $2 OR event_id = $2) ORDER BY id = $2 DESC LIMIT 1',
        [appId, ref],
      );
      return rows[0] && toMessage(rows[0]);
    },

    async expungeMessageContent(messageId) {
      await pool.query('UPDATE message SET payload = NULL WHERE id = $1', [messageId]);
    },

    async expirePayloads(now, limit) {
      const { rows } = await pool.query(
        `WITH expired AS (
           UPDATE message SET payload = NULL
           WHERE id IN (SELECT id FROM message WHERE payload_expires_at <= $1 AND payload IS NOT NULL LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING id
         ), bodies AS (
           UPDATE attempt SET response = '' WHERE message_id IN (SELECT id FROM expired)
         )
         SELECT count(*)::int AS n FROM expired`,
        [now, limit],
      );
      return rows[0].n as number;
    },

    async pruneMessages(cutoff, now, limit) {
      await pool.query('DELETE FROM idempotency WHERE expires_at <= $1', [now]);
      const { rows } = await pool.query(
        `WITH doomed AS (
           SELECT id FROM message m WHERE created_at < $1
             AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.message_id = m.id AND d.status IN (${Status.Pending}, ${Status.Sending}))
           ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED
         ), attempts AS (
           DELETE FROM attempt WHERE message_id IN (SELECT id FROM doomed)
         ), gone AS (
           DELETE FROM message WHERE id IN (SELECT id FROM doomed) RETURNING id
         )
         SELECT count(*)::int AS n FROM gone`,
        [cutoff, limit],
      );
      return rows[0].n as number;
    },

    async countMessagesBefore(cutoff) {
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM message WHERE created_at < $1', [cutoff]);
      return rows[0].n as number;
    },

    listMessages(appId, filter, page) {
      const binds = new Binds();
      const where = `m.app_id = ${binds.add(appId)}${messageConditions(filter, 'm.created_at', binds)}`;
      return paginate(pool, 'SELECT m.* FROM message m', where, binds, 'm.id', page, toMessage, (m) => m.id);
    },

    async tallyDeliveries(messageIds) {
      const sql = `${DELIVERY_TALLY_SELECT} FROM delivery WHERE message_id = ANY($1::text[]) GROUP BY message_id`;
      // Named: planned once per connection, as the message list asks it on every page.
      return toDeliveryTallies((await pool.query({ name: 'herald_tally_deliveries', text: sql, values: [messageIds] })).rows);
    },

    listMessageDeliveries(messageId, page) {
      const binds = new Binds();
      return paginate(pool, 'SELECT * FROM delivery', `message_id = ${binds.add(messageId)}`, binds, 'endpoint_id', page, toDelivery, (d) => d.endpointId);
    },

    listEndpointDeliveries(endpointId, filter, page) {
      const binds = new Binds();
      let where = `d.endpoint_id = ${binds.add(endpointId)}${messageConditions(filter, 'm.created_at', binds)}`;
      if (filter.status !== undefined) where += ` AND d.status = ${binds.add(filter.status)}`;
      return paginate(
        pool, ENDPOINT_DELIVERIES_SELECT, where, binds, 'd.message_id', page,
        (r) => splitEndpointDelivery(r, endpointId, toMessage, toDelivery),
        (x) => x.message.id,
      );
    },

    async newestAttemptAt() {
      const { rows } = await pool.query('SELECT created_at FROM attempt ORDER BY id DESC LIMIT 1');
      return rows[0] ? Number(rows[0].created_at) : null;
    },

    async getAttempt(messageId, attemptId) {
      const { rows } = await pool.query('SELECT * FROM attempt WHERE id = $1 AND message_id = $2', [attemptId, messageId]);
      return rows[0] && toAttempt(rows[0]);
    },

    listAttempts(filter, page) {
      const binds = new Binds();
      let where = 'true';
      if (filter.messageId !== undefined) where += ` AND a.message_id = ${binds.add(filter.messageId)}`;
      if (filter.endpointId !== undefined) where += ` AND a.endpoint_id = ${binds.add(filter.endpointId)}`;
      if (filter.status !== undefined) where += ` AND a.status = ${binds.add(filter.status)}`;
      if (filter.statusCodeClass !== undefined) {
        const low = filter.statusCodeClass;
        // Class 0: no HTTP response at all.
        where += low === 0 ? ' AND a.response_status_code = 0' : ` AND a.response_status_code BETWEEN ${binds.add(low)} AND ${binds.add(low + 99)}`;
      }
      where += messageConditions(filter, 'a.created_at', binds);
      const needsMessage = filter.channel !== undefined || filter.tag !== undefined || (filter.eventTypes?.length ?? 0) > 0;
      const select = needsMessage ? 'SELECT a.* FROM attempt a JOIN message m ON m.id = a.message_id' : 'SELECT a.* FROM attempt a';
      return paginate(pool, select, where, binds, 'a.id', page, toAttempt, (a) => a.id);
    },
  };
}
