import { Status, type BackgroundTask, type Delivery, type DeliveryTally, type Message } from '../types.ts';

/** SQL and row splitting that read the same in both dialects (each dialect maps its own column types). */

type Row = Record<string, any>;

/** An endpoint's deliveries with their messages: the message's columns as they are, the delivery's prefixed. */
export const ENDPOINT_DELIVERIES_SELECT = `SELECT m.*, d.id AS d_id, d.status AS d_status, d.attempts AS d_attempts,
  d.next_attempt_at AS d_next, d.last_status_code AS d_code, d.trigger AS d_trigger, d.updated_at AS d_updated
  FROM delivery d JOIN message m ON m.id = d.message_id`;

export function splitEndpointDelivery(
  r: Row,
  endpointId: string,
  toMessage: (row: Row) => Message,
  toDelivery: (row: Row) => Delivery,
): { message: Message; delivery: Delivery } {
  return {
    message: toMessage(r),
    delivery: toDelivery({
      id: r.d_id, message_id: r.id, endpoint_id: endpointId, status: r.d_status, attempts: r.d_attempts,
      next_attempt_at: r.d_next, last_status_code: r.d_code, trigger: r.d_trigger, updated_at: r.d_updated,
    }),
  };
}

/**
 * Per message, its deliveries by state; the caller adds `FROM delivery WHERE message_id IN (…) GROUP BY message_id`,
 * which the (message_id, endpoint_id) unique index answers.
 */
export const DELIVERY_TALLY_SELECT = `SELECT message_id,
  SUM(CASE WHEN status = ${Status.Success} THEN 1 ELSE 0 END) AS delivered,
  SUM(CASE WHEN status IN (${Status.Pending}, ${Status.Sending}) AND attempts = 0 THEN 1 ELSE 0 END) AS pending,
  SUM(CASE WHEN status IN (${Status.Pending}, ${Status.Sending}) AND attempts > 0 THEN 1 ELSE 0 END) AS failing,
  SUM(CASE WHEN status = ${Status.Fail} THEN 1 ELSE 0 END) AS failed,
  SUM(CASE WHEN status = ${Status.Canceled} THEN 1 ELSE 0 END) AS canceled`;

export const toDeliveryTallies = (rows: Row[]): Map<string, DeliveryTally> =>
  new Map(rows.map((r) => [r.message_id as string, {
    delivered: Number(r.delivered), pending: Number(r.pending), failing: Number(r.failing), failed: Number(r.failed), canceled: Number(r.canceled),
  }]));

/** A background_task row; `params` is decoded by the dialect (text in SQLite, jsonb in PostgreSQL). */
export const toTask = (r: Row, params: BackgroundTask['params']): BackgroundTask => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  appId: r.app_id,
  endpointId: r.endpoint_id,
  params,
  cursor: r.cursor,
  total: r.total,
  processed: r.processed,
  scheduled: r.scheduled,
  leaseUntil: r.lease_until,
  error: r.error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
