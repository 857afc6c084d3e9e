import type { QueueStore } from '../slices/queue.ts';
import { take, type BucketState } from '../token-bucket.ts';
import { Status, type ClaimedDelivery } from '../types.ts';
import type { SqliteConnection } from './connection.ts';
import { releaseTaskLeases } from './tasks.ts';

type Row = Record<string, any>;

/** The columns a claim returns for each delivery it leased. */
const CLAIMED = 'RETURNING id, message_id, endpoint_id, attempts, trigger, lease';

/**
 * The delivery queue: due times, claims and leases, parking, ordered turns, throttling and attempt outcomes. The
 * statements every delivery runs through are prepared here, once.
 */
export function sqliteQueue(c: SqliteConnection): QueueStore {
  const { writes } = c;
  const hot = {
    claim: c.db.prepare(
      `UPDATE delivery SET status = ${Status.Sending}, next_attempt_at = ?, updated_at = ?, lease = lease + 1
       WHERE id IN (SELECT id FROM delivery WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?) ${CLAIMED}`,
    ),
    claimParked: c.db.prepare(
      `UPDATE delivery SET status = ${Status.Sending}, next_attempt_at = ?, updated_at = ?, lease = lease + 1
       WHERE id IN (SELECT id FROM delivery WHERE endpoint_id = ? AND status = ${Status.Pending} AND next_attempt_at IS NULL AND waiting_turn = 0 ORDER BY id LIMIT ?)
       ${CLAIMED}`,
    ),
    // The delivery_active index's own condition is spelled out: SQLite uses a partial index only for a query that
    // repeats its terms, and without it this would read every delivery the endpoint ever had.
    claimSoonestRetry: c.db.prepare(
      `UPDATE delivery SET status = ${Status.Sending}, next_attempt_at = ?, updated_at = ?, lease = lease + 1
       WHERE id IN (SELECT id FROM delivery WHERE endpoint_id = ? AND status IN (${Status.Pending}, ${Status.Sending}) AND waiting_turn = 0
         AND status = ${Status.Pending} AND attempts > 0 AND next_attempt_at IS NOT NULL ORDER BY next_attempt_at LIMIT 1)
       ${CLAIMED}`,
    ),
    payloads: c.db.prepare('SELECT id, app_id, event_type, payload, request_id, traceparent, forward FROM message WHERE id IN (SELECT value FROM json_each(?))'),
    insertAttempt: c.db.prepare(
      `INSERT INTO attempt (id, app_id, message_id, endpoint_id, url, status, response_status_code, response, duration_ms, trigger, created_at, request_headers)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updateDelivery: c.db.prepare(
      // Only the lease the attempt was sent under takes its outcome: a resend or a later claim is never overwritten.
      `UPDATE delivery SET status = ?, attempts = ?, next_attempt_at = ?, last_status_code = ?, trigger = 0, updated_at = ?
       WHERE id = ? AND status = ${Status.Sending} AND lease = ?`,
    ),
    nextDue: c.db.prepare('SELECT MIN(next_attempt_at) AS due FROM delivery WHERE next_attempt_at IS NOT NULL'),
  };

  /** Adds what the sender needs (app, event type, payload, origin) to claimed delivery rows, one query for the whole batch. */
  const withPayloads = (rows: Row[], leaseUntil: number): ClaimedDelivery[] => {
    if (rows.length === 0) return [];
    const messageIds = [...new Set(rows.map((r) => r.message_id as string))];
    const messages = new Map<string, Row>();
    for (const m of hot.payloads.all(JSON.stringify(messageIds)) as Row[]) messages.set(m.id, m);
    return rows.map((r) => {
      const m = messages.get(r.message_id);
      const claimed: ClaimedDelivery = {
        deliveryId: r.id,
        messageId: r.message_id,
        endpointId: r.endpoint_id,
        appId: m?.app_id ?? '',
        eventType: m?.event_type ?? '',
        attempts: r.attempts,
        trigger: r.trigger,
        lease: r.lease,
        leaseUntil,
        payload: m?.payload ?? null,
      };
      if (m?.request_id) claimed.requestId = m.request_id;
      if (m?.traceparent) claimed.traceparent = m.traceparent;
      if (m?.forward) claimed.forward = JSON.parse(m.forward);
      return claimed;
    });
  };

  return {
    takeTokens(buckets, wanted, now) {
      return writes.run(() => {
        const read = c.stmt('SELECT tokens, updated_at FROM rate_limit WHERE key = ?');
        const states = new Map<string, BucketState>();
        for (const { key } of buckets) {
          const row = read.get(key) as { tokens: number; updated_at: number } | undefined;
          if (row) states.set(key, { tokens: row.tokens, updatedAt: row.updated_at });
        }
        const { granted, next } = take(buckets, states, wanted, now);
        const write = c.stmt(
          'INSERT INTO rate_limit (key, tokens, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at',
        );
        buckets.forEach((b, i) => write.run(b.key, next[i]!.tokens, next[i]!.updatedAt));
        return granted;
      });
    },

    claimDueDeliveries(now, leaseUntil, limit) {
      return writes.run(() => withPayloads(hot.claim.all(leaseUntil, now, now, limit) as Row[], leaseUntil));
    },

    claimParkedDeliveries(endpointId, leaseUntil, limit) {
      return writes.run(() => withPayloads(hot.claimParked.all(leaseUntil, Date.now(), endpointId, limit) as Row[], leaseUntil));
    },

    claimDeliveryToProbe(endpointId, leaseUntil) {
      return writes.run(() => {
        const now = Date.now();
        let rows = hot.claimParked.all(leaseUntil, now, endpointId, 1) as Row[];
        if (rows.length === 0) rows = hot.claimSoonestRetry.all(leaseUntil, now, endpointId) as Row[];
        return withPayloads(rows, leaseUntil)[0] ?? null;
      });
    },

    async countQueuedDeliveries() {
      return c.stmt(`SELECT COUNT(*) FROM delivery WHERE status IN (${Status.Pending}, ${Status.Sending}) AND waiting_turn = 0`).pluck().get() as number;
    },

    async oldestDueAt(now) {
      return c.stmt(
        `SELECT MIN(next_attempt_at) FROM delivery WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ? AND status = ${Status.Pending}`,
      ).pluck().get(now) as number | null;
    },

    async nextDueAt() {
      return (hot.nextDue.get() as { due: number | null }).due;
    },

    /** SQLite has one sending process: whatever it had in flight or parked when it stopped is due again. */
    recoverAtStart(now) {
      return writes.run(() => {
        // An endpoint whose circuit is open is probed first (delivery/circuit.ts): its deliveries stay parked, those
        // that were mid-send included, so the probe takes the oldest and nothing else goes before it answers.
        const open = 'endpoint_id IN (SELECT endpoint_id FROM endpoint_circuit)';
        c.stmt(
          `UPDATE delivery SET status = ${Status.Pending}, next_attempt_at = NULL, updated_at = ?
           WHERE next_attempt_at IS NOT NULL AND status = ${Status.Sending} AND ${open}`,
        ).run(now);
        // Two statements so each walks its own index: the due index for sending rows, the parked index for parked ones.
        const sending = c.stmt(
          `UPDATE delivery SET status = ${Status.Pending}, next_attempt_at = ?, updated_at = ?
           WHERE next_attempt_at IS NOT NULL AND status = ${Status.Sending} RETURNING endpoint_id`,
        ).pluck().all(now, now) as string[];
        const parked = c.stmt(
          `UPDATE delivery SET next_attempt_at = ?, updated_at = ?
           WHERE status = ${Status.Pending} AND next_attempt_at IS NULL AND waiting_turn = 0 AND NOT ${open} RETURNING endpoint_id`,
        ).pluck().all(now, now) as string[];
        releaseTaskLeases(c);
        return { deliveries: sending.length + parked.length, endpoints: new Set([...sending, ...parked]).size };
      });
    },

    promoteNextInOrder(endpointId, now, sameGroupAs) {
      return writes.run(() => {
        if (sameGroupAs === undefined) {
          // A sweep: the head of every group that has nothing active.
          return c.stmt(
            `UPDATE delivery SET waiting_turn = 0, updated_at = @now,
               next_attempt_at = MAX(@now, COALESCE((SELECT deliver_at FROM message WHERE id = delivery.message_id), 0))
             WHERE waiting_turn = 1 AND id IN (
               SELECT MIN(w.id) FROM delivery w WHERE w.endpoint_id = @endpoint AND w.waiting_turn = 1 GROUP BY w.order_key
               HAVING NOT EXISTS (SELECT 1 FROM delivery a WHERE a.endpoint_id = @endpoint AND a.order_key IS w.order_key
                 AND a.status IN (${Status.Pending}, ${Status.Sending}) AND a.waiting_turn = 0))`,
          ).run({ now, endpoint: endpointId }).changes > 0;
        }
        const group = c.stmt('SELECT order_key FROM delivery WHERE id = ?').pluck().get(sameGroupAs) as string | null | undefined;
        return c.stmt(
          `UPDATE delivery SET waiting_turn = 0, updated_at = @now,
             next_attempt_at = MAX(@now, COALESCE((SELECT deliver_at FROM message WHERE id = delivery.message_id), 0))
           WHERE id = (SELECT id FROM delivery WHERE endpoint_id = @endpoint AND waiting_turn = 1 AND order_key IS @group ORDER BY id LIMIT 1)
             AND waiting_turn = 1
             AND NOT EXISTS (SELECT 1 FROM delivery WHERE endpoint_id = @endpoint AND status IN (${Status.Pending}, ${Status.Sending}) AND waiting_turn = 0
               AND order_key IS @group)`,
        ).run({ now, endpoint: endpointId, group: group ?? null }).changes > 0;
      });
    },

    async endpointsWaitingTurn() {
      return c.stmt('SELECT DISTINCT endpoint_id FROM delivery WHERE waiting_turn = 1').pluck().all() as string[];
    },

    unparkStale(parkedBefore, now) {
      return writes.run(() =>
        c.stmt(
          `UPDATE delivery SET next_attempt_at = ?, updated_at = ?
           WHERE status = ${Status.Pending} AND next_attempt_at IS NULL AND waiting_turn = 0 AND updated_at < ?`,
        ).run(now, now, parkedBefore).changes);
    },

    releaseDeliveries(deliveryIds, dueAt) {
      return writes.run(() => {
        c.stmt(
          `UPDATE delivery SET status = ${Status.Pending}, next_attempt_at = ?, updated_at = ?
           WHERE status = ${Status.Sending} AND id IN (SELECT value FROM json_each(?))`,
        ).run(dueAt, Date.now(), JSON.stringify(deliveryIds));
      });
    },

    parkDeliveries(deliveryIds) {
      return writes.run(() => {
        c.stmt(
          `UPDATE delivery SET status = ${Status.Pending}, next_attempt_at = NULL, updated_at = ?
           WHERE status = ${Status.Sending} AND id IN (SELECT value FROM json_each(?))`,
        ).run(Date.now(), JSON.stringify(deliveryIds));
      });
    },

    renewLeases(deliveries, leaseUntil) {
      return writes.run(() => {
        const renew = c.stmt(`UPDATE delivery SET next_attempt_at = ? WHERE id = ? AND status = ${Status.Sending} AND lease = ?`);
        return deliveries.filter((d) => renew.run(leaseUntil, d.deliveryId, d.lease).changes > 0).map((d) => d.deliveryId);
      });
    },

    recordOutcomes(outcomes) {
      return writes.run(() => {
        for (const o of outcomes) {
          const a = o.attempt;
          hot.insertAttempt.run(
            a.id, a.appId, a.messageId, a.endpointId, a.url, a.status, a.responseStatusCode, a.response, a.durationMs, a.trigger, a.createdAt,
            a.request && JSON.stringify(a.request),
          );
          hot.updateDelivery.run(o.status, o.attempts, o.nextAttemptAt, a.responseStatusCode || null, a.createdAt, o.deliveryId, o.lease);
        }
      });
    },

    scheduleResend(messageId, endpointId, now, trigger) {
      return writes.run(() => {
        c.stmt(
          `INSERT INTO delivery (message_id, endpoint_id, status, attempts, next_attempt_at, trigger, updated_at)
           VALUES (?, ?, ${Status.Pending}, 0, ?, ?, ?)
           ON CONFLICT (message_id, endpoint_id) DO UPDATE SET status = ${Status.Pending}, attempts = 0, next_attempt_at = excluded.next_attempt_at,
             trigger = excluded.trigger, updated_at = excluded.updated_at`,
        ).run(messageId, endpointId, now, trigger, now);
      });
    },

    expediteEndpointDeliveries(endpointId, now) {
      return writes.run(() =>
        c.stmt(
          `UPDATE delivery SET next_attempt_at = ?, updated_at = ?
           WHERE endpoint_id = ? AND status = ${Status.Pending} AND attempts > 0 AND next_attempt_at > ?`,
        ).run(now, now, endpointId, now).changes);
    },
  };
}
