import { toAttempt, toDelivery } from '../common/rows.ts';
import { jsonOrNull } from '../common/json.ts';
import { DELIVERY_TALLY_SELECT, ENDPOINT_DELIVERIES_SELECT, splitEndpointDelivery, toDeliveryTallies } from '../common/shared-sql.ts';
import type { HistoryStore } from '../slices/history.ts';
import { Status } from '../types.ts';
import type { SqliteConnection } from './connection.ts';
import { attemptQuery, messageConditions } from './filters.ts';
import { readIdempotentResponse, writeIdempotentResponse } from './idempotency.ts';
import { toMessage } from './rows.ts';
import { conflictOnUnique, paginate } from './sql.ts';

type Row = Record<string, any>;

/**
 * Messages with their deliveries, the attempt log, retention and idempotency records. The statements every
 * published message runs are prepared here, once.
 */
export function sqliteHistory(c: SqliteConnection): HistoryStore {
  const { writes } = c;
  const hot = {
    insertMessage: c.db.prepare(
      `INSERT INTO message (id, app_id, event_id, event_type, channels, tags, payload, created_at, deliver_at, payload_expires_at, request_id, traceparent, forward)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertDelivery: c.db.prepare(
      'INSERT INTO delivery (message_id, endpoint_id, status, attempts, next_attempt_at, waiting_turn, updated_at, order_key) VALUES (?, ?, ?, 0, ?, ?, ?, ?)',
    ),
  };

  return {
    async getIdempotentResponse(scope, key, now) {
      return readIdempotentResponse(c, scope, key, now);
    },

    putIdempotentResponse(scope, key, response, expiresAt) {
      return writes.run(() => writeIdempotentResponse(c, scope, key, response, expiresAt));
    },

    createMessage(input) {
      const { message: m, deliveries, dueAt, leaseUntil, idempotency } = input;
      return writes.run(() =>
        conflictOnUnique('A message with this eventId', () => {
          if (idempotency) {
            const stored = readIdempotentResponse(c, idempotency.scope, idempotency.key, m.createdAt);
            if (stored) return { replay: stored };
          }
          hot.insertMessage.run(m.id, m.appId, m.eventId, m.eventType, jsonOrNull(m.channels), jsonOrNull(m.tags), m.payload, m.createdAt, m.deliverAt,
            input.payloadExpiresAt ?? null, input.requestId ?? null, input.traceparent ?? null, jsonOrNull(input.forward));
          const ids: number[] = [];
          for (const { endpointId, admission, orderKey } of deliveries) {
            const status = admission === 'leased' ? Status.Sending : Status.Pending;
            const next = admission === 'leased' ? leaseUntil : admission === 'due' ? dueAt : null;
            ids.push(Number(hot.insertDelivery.run(m.id, endpointId, status, next, admission === 'turn' ? 1 : 0, m.createdAt, orderKey ?? null).lastInsertRowid));
          }
          if (idempotency) writeIdempotentResponse(c, idempotency.scope, idempotency.key, idempotency.response, idempotency.expiresAt);
          return { deliveryIds: ids };
        }),
      );
    },

    async getMessage(appId, ref) {
      const row = c.stmt('SELECT * FROM message WHERE app_id = ? AND id = ? UNION ALL SELECT * FROM message WHERE app_id = ? AND event_id = ? LIMIT 1')
        .get(appId, ref, appId, ref);
      return row ? toMessage(row as Row) : undefined;
    },

    expungeMessageContent(messageId) {
      return writes.run(() => {
        c.stmt('UPDATE message SET payload = NULL WHERE id = ?').run(messageId);
      });
    },

    expirePayloads(now, limit) {
      return writes.run(() => {
        const ids = c.stmt('SELECT id FROM message WHERE payload_expires_at <= ? AND payload IS NOT NULL LIMIT ?').pluck().all(now, limit) as string[];
        if (ids.length === 0) return 0;
        const list = JSON.stringify(ids);
        c.stmt('UPDATE message SET payload = NULL WHERE id IN (SELECT value FROM json_each(?))').run(list);
        c.stmt("UPDATE attempt SET response = '' WHERE message_id IN (SELECT value FROM json_each(?))").run(list);
        return ids.length;
      });
    },

    pruneMessages(cutoff, now, limit) {
      return writes.run(() => {
        c.stmt('DELETE FROM idempotency WHERE expires_at <= ?').run(now);
        const ids = c.stmt(
          `SELECT id FROM message m WHERE created_at < ?
             AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.message_id = m.id AND d.status IN (${Status.Pending}, ${Status.Sending}))
           ORDER BY created_at LIMIT ?`,
        ).pluck().all(cutoff, limit) as string[];
        if (ids.length === 0) return 0;
        const list = JSON.stringify(ids);
        c.stmt('DELETE FROM attempt WHERE message_id IN (SELECT value FROM json_each(?))').run(list);
        c.stmt('DELETE FROM message WHERE id IN (SELECT value FROM json_each(?))').run(list);
        return ids.length;
      });
    },

    async countMessagesBefore(cutoff) {
      return c.stmt('SELECT COUNT(*) FROM message WHERE created_at < ?').pluck().get(cutoff) as number;
    },

    async listMessages(appId, filter, page) {
      const cond = messageConditions(filter, 'm.created_at');
      return paginate(c.db, 'SELECT m.* FROM message m', `m.app_id = ?${cond.sql}`, [appId, ...cond.params], 'm.id', page, toMessage, (m) => m.id);
    },

    async tallyDeliveries(messageIds) {
      const sql = `${DELIVERY_TALLY_SELECT} FROM delivery WHERE message_id IN (SELECT value FROM json_each(?)) GROUP BY message_id`;
      return toDeliveryTallies(c.stmt(sql).all(JSON.stringify(messageIds)) as Row[]);
    },

    async listMessageDeliveries(messageId, page) {
      return paginate(c.db, 'SELECT * FROM delivery', 'message_id = ?', [messageId], 'endpoint_id', page, toDelivery, (d) => d.endpointId);
    },

    async listEndpointDeliveries(endpointId, filter, page) {
      const cond = messageConditions(filter, 'm.created_at');
      let where = `d.endpoint_id = ?${cond.sql}`;
      const params = [endpointId, ...cond.params];
      if (filter.status !== undefined) {
        where += ' AND d.status = ?';
        params.push(filter.status);
      }
      return paginate(
        c.db, ENDPOINT_DELIVERIES_SELECT, where, params, 'd.message_id', page,
        (r) => splitEndpointDelivery(r, endpointId, toMessage, toDelivery),
        (x) => x.message.id,
      );
    },

    async newestAttemptAt() {
      const row = c.stmt('SELECT created_at FROM attempt ORDER BY id DESC LIMIT 1').get() as { created_at: number } | undefined;
      return row?.created_at ?? null;
    },

    async getAttempt(messageId, attemptId) {
      const row = c.stmt('SELECT * FROM attempt WHERE id = ? AND message_id = ?').get(attemptId, messageId);
      return row ? toAttempt(row as Row) : undefined;
    },

    async listAttempts(filter, page) {
      const q = attemptQuery(filter);
      return paginate(c.db, q.select, q.sql, q.params, 'a.id', page, toAttempt, (a) => a.id);
    },
  };
}
