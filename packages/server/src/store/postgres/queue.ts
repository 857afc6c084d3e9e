import type pg from 'pg';
import type { QueueStore } from '../slices/queue.ts';
import { take, type BucketState } from '../token-bucket.ts';
import { Status, type ClaimedDelivery } from '../types.ts';
import type { DueNotices } from './bus.ts';
import { transaction, type Row } from './context.ts';
import { CLAIM_DUE, CLAIM_PARKED, CLAIM_SOONEST_RETRY, NEXT_DUE, RECORD_OUTCOMES, RENEW_LEASES } from './queue-sql.ts';

function toClaimed(r: Row, leaseUntil: number): ClaimedDelivery {
  const claimed: ClaimedDelivery = {
    deliveryId: r.id,
    messageId: r.message_id,
    endpointId: r.endpoint_id,
    appId: r.app_id,
    eventType: r.event_type,
    attempts: r.attempts,
    trigger: r.trigger,
    payload: r.payload,
    lease: r.lease,
    leaseUntil,
  };
  if (r.request_id) claimed.requestId = r.request_id;
  if (r.traceparent) claimed.traceparent = r.traceparent;
  if (r.forward) claimed.forward = r.forward;
  return claimed;
}

/**
 * The delivery table is the queue, shared by any number of processes: claims lock with SKIP LOCKED and hand out
 * leases, outcomes land only under their lease, and a write that makes deliveries due tells the other processes.
 */
export function postgresQueue(pool: pg.Pool, notices: DueNotices): QueueStore {
  return {
    takeTokens(specs, wanted, now) {
      // Always in key order, so two workers creating or locking the same buckets cannot deadlock.
      const buckets = [...specs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const keys = buckets.map((b) => b.key);
      return transaction(pool, async (client) => {
        // Buckets exist (full) before they are locked, so two workers' first takes cannot both find none and both grant.
        await client.query(
          `INSERT INTO rate_limit (key, tokens, updated_at) SELECT k, r, $3 FROM unnest($1::text[], $2::float8[]) AS b(k, r)
           ON CONFLICT (key) DO NOTHING`,
          [keys, buckets.map((b) => b.burst ?? b.ratePerSecond), now],
        );
        const { rows } = await client.query(
          'SELECT key, tokens, updated_at FROM rate_limit WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE',
          [keys],
        );
        const states = new Map<string, BucketState>(rows.map((r) => [r.key as string, { tokens: r.tokens as number, updatedAt: r.updated_at as number }]));
        const { granted, next } = take(buckets, states, wanted, now);
        await client.query(
          `INSERT INTO rate_limit (key, tokens, updated_at) SELECT * FROM unnest($1::text[], $2::float8[], $3::bigint[])
           ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at`,
          [keys, next.map((n) => n.tokens), next.map((n) => n.updatedAt)],
        );
        return granted;
      });
    },

    async claimDueDeliveries(now, leaseUntil, limit) {
      const { rows } = await pool.query({ name: 'herald_claim_due', text: CLAIM_DUE, values: [leaseUntil, now, limit] });
      return rows.map((r) => toClaimed(r, leaseUntil));
    },

    async claimParkedDeliveries(endpointId, leaseUntil, limit) {
      const { rows } = await pool.query({
        name: 'herald_claim_parked',
        text: CLAIM_PARKED,
        values: [leaseUntil, Date.now(), endpointId, limit],
      });
      return rows.map((r) => toClaimed(r, leaseUntil));
    },

    async claimDeliveryToProbe(endpointId, leaseUntil) {
      const values = [leaseUntil, Date.now(), endpointId];
      let { rows } = await pool.query({ name: 'herald_claim_parked', text: CLAIM_PARKED, values: [...values, 1] });
      if (rows.length === 0) ({ rows } = await pool.query({ name: 'herald_claim_soonest_retry', text: CLAIM_SOONEST_RETRY, values }));
      return rows[0] ? toClaimed(rows[0], leaseUntil) : null;
    },

    async renewLeases(deliveries, leaseUntil) {
      const { rows } = await pool.query({
        name: 'herald_renew_leases',
        text: RENEW_LEASES,
        values: [leaseUntil, deliveries.map((d) => d.deliveryId), deliveries.map((d) => d.lease)],
      });
      const renewed = new Set(rows.map((r) => r.id as number));
      return deliveries.filter((d) => renewed.has(d.deliveryId)).map((d) => d.deliveryId);
    },

    async parkDeliveries(deliveryIds) {
      await pool.query(
        `UPDATE delivery SET status = ${Status.Pending}, next_attempt_at = NULL, updated_at = $2
         WHERE status = ${Status.Sending} AND id = ANY($1::bigint[])`,
        [deliveryIds, Date.now()],
      );
    },

    async releaseDeliveries(deliveryIds, dueAt) {
      await pool.query(
        `UPDATE delivery SET status = ${Status.Pending}, next_attempt_at = $2, updated_at = $3
         WHERE status = ${Status.Sending} AND id = ANY($1::bigint[])`,
        [deliveryIds, dueAt, Date.now()],
      );
    },

    async countQueuedDeliveries() {
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM delivery WHERE status IN (${Status.Pending}, ${Status.Sending}) AND NOT waiting_turn`);
      return rows[0].n;
    },

    async oldestDueAt(now) {
      const { rows } = await pool.query(
        `SELECT min(next_attempt_at) AS oldest FROM delivery WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= $1 AND status = ${Status.Pending}`,
        [now],
      );
      return rows[0].oldest === null ? null : Number(rows[0].oldest);
    },

    async nextDueAt() {
      const { rows } = await pool.query({ name: 'herald_next_due', text: NEXT_DUE });
      return rows[0]?.due ?? null;
    },

    /** Nothing to recover: other processes may hold leases right now, and an abandoned lease runs out by itself. */
    async recoverAtStart() {
      return { deliveries: 0, endpoints: 0 };
    },

    async promoteNextInOrder(endpointId, now, sameGroupAs) {
      // The outer waiting_turn check is re-read on the row's newest version: a concurrent promoter that made the same
      // row due first makes this one change nothing. Without sameGroupAs (a sweep): the head of every idle group.
      const result = sameGroupAs === undefined
        ? await pool.query(
          `UPDATE delivery SET waiting_turn = false, updated_at = $1,
             next_attempt_at = GREATEST($1, COALESCE((SELECT deliver_at FROM message WHERE id = delivery.message_id), 0))
           WHERE waiting_turn AND id IN (
             SELECT min(w.id) FROM delivery w WHERE w.endpoint_id = $2 AND w.waiting_turn GROUP BY w.order_key
             HAVING NOT EXISTS (SELECT 1 FROM delivery a WHERE a.endpoint_id = $2 AND a.order_key IS NOT DISTINCT FROM w.order_key
               AND a.status IN (${Status.Pending}, ${Status.Sending}) AND NOT a.waiting_turn))`,
          [now, endpointId],
        )
        : await pool.query(
          `WITH grp AS (SELECT order_key FROM delivery WHERE id = $3)
           UPDATE delivery SET waiting_turn = false, updated_at = $1,
             next_attempt_at = GREATEST($1, COALESCE((SELECT deliver_at FROM message WHERE id = delivery.message_id), 0))
           WHERE id = (SELECT id FROM delivery WHERE endpoint_id = $2 AND waiting_turn
               AND order_key IS NOT DISTINCT FROM (SELECT order_key FROM grp) ORDER BY id LIMIT 1) AND waiting_turn
             AND NOT EXISTS (SELECT 1 FROM delivery WHERE endpoint_id = $2 AND status IN (${Status.Pending}, ${Status.Sending}) AND NOT waiting_turn
               AND order_key IS NOT DISTINCT FROM (SELECT order_key FROM grp))`,
          [now, endpointId, sameGroupAs],
        );
      if ((result.rowCount ?? 0) === 0) return false;
      notices.announceDue(now);
      return true;
    },

    async endpointsWaitingTurn() {
      const { rows } = await pool.query('SELECT DISTINCT endpoint_id FROM delivery WHERE waiting_turn');
      return rows.map((r) => r.endpoint_id as string);
    },

    async unparkStale(parkedBefore, now) {
      const result = await pool.query(
        `UPDATE delivery SET next_attempt_at = $1, updated_at = $1
         WHERE status = ${Status.Pending} AND next_attempt_at IS NULL AND NOT waiting_turn AND updated_at < $2`,
        [now, parkedBefore],
      );
      return result.rowCount ?? 0;
    },

    async recordOutcomes(outcomes) {
      if (outcomes.length === 0) return;
      const attempts = outcomes.map((o) => o.attempt);
      const attemptColumns = [
        attempts.map((a) => a.id), attempts.map((a) => a.appId), attempts.map((a) => a.messageId), attempts.map((a) => a.endpointId),
        attempts.map((a) => a.url), attempts.map((a) => a.status), attempts.map((a) => a.responseStatusCode),
        // PostgreSQL text cannot hold NUL, which a binary response body may contain.
        attempts.map((a) => a.response.replaceAll('\0', '\uFFFD')),
        attempts.map((a) => a.durationMs), attempts.map((a) => a.trigger), attempts.map((a) => a.createdAt),
      ];
      const deliveryColumns = [
        outcomes.map((o) => o.deliveryId), outcomes.map((o) => o.lease), outcomes.map((o) => o.status), outcomes.map((o) => o.attempts),
        outcomes.map((o) => o.nextAttemptAt), attempts.map((a) => a.responseStatusCode || null),
      ];
      const requests = attempts.map((a) => a.request && JSON.stringify(a.request));
      await pool.query({ name: 'herald_record_outcomes', text: RECORD_OUTCOMES, values: [...attemptColumns, ...deliveryColumns, requests] });
    },

    async scheduleResend(messageId, endpointId, now, trigger) {
      await pool.query(
        `WITH resent AS (
           INSERT INTO delivery (message_id, endpoint_id, status, attempts, next_attempt_at, trigger, updated_at)
           VALUES ($1, $2, ${Status.Pending}, 0, $3, $4, $3)
           ON CONFLICT (message_id, endpoint_id) DO UPDATE SET status = ${Status.Pending}, attempts = 0,
             next_attempt_at = excluded.next_attempt_at, trigger = excluded.trigger, updated_at = excluded.updated_at
           RETURNING id
         )
         SELECT 1 FROM resent`,
        [messageId, endpointId, now, trigger],
      );
      notices.announceDue(now);
    },

    async expediteEndpointDeliveries(endpointId, now) {
      const result = await pool.query(
        `UPDATE delivery SET next_attempt_at = $1, updated_at = $1
         WHERE endpoint_id = $2 AND status = ${Status.Pending} AND attempts > 0 AND next_attempt_at > $1`,
        [now, endpointId],
      );
      const expedited = result.rowCount ?? 0;
      if (expedited > 0) notices.announceDue(now);
      return expedited;
    },
  };
}
