import { Status, Trigger } from '../types.ts';

/**
 * The queue's hot statements. Each is a single statement, so it commits on its own (no BEGIN/COMMIT round trips),
 * and is run as a named prepared statement, parsed once per pooled connection.
 */

/**
 * Publishing: the idempotency key, the message and its deliveries, in one statement.
 * $1–$9 message, $10–$12 deliveries (endpoint, status, due time, as parallel arrays), $13–$17 the idempotency record
 * (all null without one), $18 when the payload expires, $19 which deliveries wait their turn (ordered endpoints),
 * $20, $21 the publishing request's id and traceparent, $22 how an inbound request is passed on (forward), $23 each
 * delivery's order key (its ordered endpoint's turn group).
 * Returns one row per delivery (one row with a null id when there are none), or no row when an unexpired response
 * under the idempotency key stopped everything.
 */
export const CREATE_MESSAGE = `
WITH idem AS (
  -- Takes the key when it is free or its record has expired. A concurrent request holding the same key makes this
  -- wait for its commit and then find the row taken.
  INSERT INTO idempotency (scope, key, status_code, body, expires_at)
  SELECT $13::text, $14::text, $15::integer, $16::text, $17::bigint WHERE $13::text IS NOT NULL
  ON CONFLICT (scope, key) DO UPDATE
    SET status_code = excluded.status_code, body = excluded.body, expires_at = excluded.expires_at
    WHERE idempotency.expires_at <= $8::bigint
  RETURNING 1
), msg AS (
  INSERT INTO message (id, app_id, event_id, event_type, channels, tags, payload, created_at, deliver_at, payload_expires_at, request_id, traceparent, forward)
  SELECT $1::text, $2::text, $3::text, $4::text, $5::jsonb, $6::jsonb, $7::text, $8::bigint, $9::bigint, $18::bigint, $20::text, $21::text, $22::jsonb
  WHERE $13::text IS NULL OR EXISTS (SELECT FROM idem)
  RETURNING id
), ins AS (
  INSERT INTO delivery (message_id, endpoint_id, status, next_attempt_at, waiting_turn, updated_at, order_key)
  SELECT msg.id, d.endpoint_id, d.status, d.next_attempt_at, d.waiting, $8::bigint, d.order_key
  FROM msg CROSS JOIN unnest($10::text[], $11::integer[], $12::bigint[], $19::boolean[], $23::text[]) AS d(endpoint_id, status, next_attempt_at, waiting, order_key)
  RETURNING id, endpoint_id
)
SELECT ins.id, ins.endpoint_id
FROM msg LEFT JOIN ins ON true`;

/** The response stored under an idempotency key (a new statement, so it sees a concurrent request's commit). */
export const REPLAY = 'SELECT status_code, body FROM idempotency WHERE scope = $1 AND key = $2';

/**
 * A claim: lock the picked rows, skipping those another claimer holds, and lease them ($1 lease end, $2 now) with
 * the next lease number, returning each with what the sender needs from its message. MATERIALIZED makes the locking
 * pick run exactly once, whatever plan the update gets.
 */
const claim = (pick: string): string => `
WITH picked AS MATERIALIZED (
  ${pick}
  FOR UPDATE SKIP LOCKED
), claimed AS (
  UPDATE delivery d SET status = ${Status.Sending}, next_attempt_at = $1, lease = d.lease + 1, updated_at = $2
  FROM picked WHERE d.id = picked.id
  RETURNING d.id, d.message_id, d.endpoint_id, d.attempts, d.trigger, d.lease
)
SELECT c.id, c.message_id, c.endpoint_id, c.attempts, c.trigger, c.lease, m.app_id, m.event_type, m.payload, m.request_id, m.traceparent, m.forward
FROM claimed c JOIN message m ON m.id = c.message_id`;

/** $3: how many. Due rows (and expired leases) soonest first, along the due index. */
export const CLAIM_DUE = claim('SELECT id FROM delivery WHERE next_attempt_at <= $2 ORDER BY next_attempt_at LIMIT $3');

/** $3: the endpoint, $4: how many. Its parked rows oldest first, along the parked index. */
export const CLAIM_PARKED = claim(
  `SELECT id FROM delivery WHERE endpoint_id = $3 AND status = ${Status.Pending} AND next_attempt_at IS NULL AND NOT waiting_turn ORDER BY id LIMIT $4`,
);

/**
 * $3: the endpoint. Its row whose retry comes soonest, for a probe when none is parked (`attempts > 0`: a first attempt
 * scheduled for later, a message's deliverAt, is never sent early).
 */
export const CLAIM_SOONEST_RETRY = claim(
  `SELECT id FROM delivery WHERE endpoint_id = $3 AND status = ${Status.Pending} AND attempts > 0 AND next_attempt_at IS NOT NULL AND NOT waiting_turn
   ORDER BY next_attempt_at LIMIT 1`,
);

/** $2, $3: delivery ids and the leases they are held under; a delivery claimed again or resent meanwhile is left alone. */
export const RENEW_LEASES = `
UPDATE delivery d SET next_attempt_at = $1
FROM unnest($2::bigint[], $3::integer[]) AS r(id, lease)
WHERE d.id = r.id AND d.status = ${Status.Sending} AND d.lease = r.lease
RETURNING d.id`;

export const NEXT_DUE = 'SELECT min(next_attempt_at) AS due FROM delivery WHERE next_attempt_at IS NOT NULL';

/**
 * A batch of outcomes: every attempt row in one insert, every delivery in one update, one transaction.
 * $1–$11 the attempt columns, $12–$17 per delivery: id, lease, status, attempts, next due time, last status code;
 * $18 the attempt's request headers; the attempt's time ($11) is the delivery's updated_at.
 */
export const RECORD_OUTCOMES = `
WITH logged AS (
  INSERT INTO attempt (id, app_id, message_id, endpoint_id, url, status, response_status_code, response, duration_ms, trigger, created_at,
    request_headers)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::integer[], $7::integer[], $8::text[],
    $9::integer[], $10::integer[], $11::bigint[], $18::text[])
)
UPDATE delivery d
SET status = o.status, attempts = o.attempts, next_attempt_at = o.next_attempt_at, last_status_code = o.last_status_code,
  trigger = ${Trigger.Scheduled}, updated_at = o.updated_at
FROM unnest($12::bigint[], $13::integer[], $14::integer[], $15::integer[], $16::bigint[], $17::integer[], $11::bigint[])
  AS o(id, lease, status, attempts, next_attempt_at, last_status_code, updated_at)
-- Only the lease the attempt was sent under takes its outcome: a resend or a later claim is never overwritten.
WHERE d.id = o.id AND d.status = ${Status.Sending} AND d.lease = o.lease`;

/**
 * Group commit: several messages published in the same turn of the event loop, each with its idempotency record and
 * deliveries, in one statement (one commit, one WAL flush). Per message, $1–$13 the message columns, $14–$18 its
 * idempotency record (nulls without one); $19 now (an idempotency record that expired by then is taken over);
 * $20–$25 every delivery of the batch: its message, endpoint, status, due time, whether it waits its turn and its order key.
 * Returns a row per delivery (a null id for a message without deliveries); a message stopped by an unexpired
 * idempotency record has no row. Keys are taken in key order, so two batches cannot deadlock on each other's keys.
 */
export const CREATE_MESSAGES = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[],
    $10::bigint[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::integer[], $17::text[], $18::bigint[])
    AS i(id, app_id, event_id, event_type, channels, tags, payload, created_at, deliver_at, payload_expires_at, request_id, traceparent,
      forward, scope, key, status_code, body, expires_at)
), idem AS (
  INSERT INTO idempotency (scope, key, status_code, body, expires_at)
  SELECT scope, key, status_code, body, expires_at FROM input WHERE scope IS NOT NULL ORDER BY scope, key
  ON CONFLICT (scope, key) DO UPDATE
    SET status_code = excluded.status_code, body = excluded.body, expires_at = excluded.expires_at
    WHERE idempotency.expires_at <= $19::bigint
  RETURNING scope, key
), msg AS (
  INSERT INTO message (id, app_id, event_id, event_type, channels, tags, payload, created_at, deliver_at, payload_expires_at, request_id, traceparent, forward)
  SELECT id, app_id, event_id, event_type, channels::jsonb, tags::jsonb, payload, created_at, deliver_at, payload_expires_at, request_id, traceparent, forward::jsonb
  FROM input i
  WHERE i.scope IS NULL OR EXISTS (SELECT FROM idem WHERE idem.scope = i.scope AND idem.key = i.key)
  RETURNING id, created_at
), ins AS (
  INSERT INTO delivery (message_id, endpoint_id, status, next_attempt_at, waiting_turn, updated_at, order_key)
  SELECT msg.id, d.endpoint_id, d.status, d.next_attempt_at, d.waiting, msg.created_at, d.order_key
  FROM unnest($20::text[], $21::text[], $22::integer[], $23::bigint[], $24::boolean[], $25::text[]) AS d(message_id, endpoint_id, status, next_attempt_at, waiting, order_key)
  JOIN msg ON msg.id = d.message_id
  RETURNING id, message_id, endpoint_id
)
SELECT msg.id AS message_id, ins.id, ins.endpoint_id
FROM msg LEFT JOIN ins ON ins.message_id = msg.id`;
