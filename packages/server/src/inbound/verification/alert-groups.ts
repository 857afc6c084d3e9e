import { createHash } from 'node:crypto';
import { asObject, type JsonObject } from './request.ts';

/**
 * Prometheus Alertmanager's webhook_config and Grafana's webhook contact point post a group of alerts (`groupKey`,
 * `status`, `alerts[]` each with its `fingerprint`, `status`, `startsAt` and `endsAt`). Neither sends an event type or
 * a delivery id, so both are read from the group itself.
 */

/** `alertmanager.firing`, `grafana.resolved`: the sender and the group's status, so destinations can route on either. */
export function alertGroupEventType(sender: 'alertmanager' | 'grafana', body: JsonObject | null): string | null {
  const status = body?.['status'];
  return typeof status === 'string' && /^[a-z]{1,32}$/.test(status) ? `${sender}.${status}` : null;
}

/**
 * The same for the same notification: the one the sender retries after a failed attempt, or each replica of a high-
 * availability pair sends. It changes with whatever a reader would call news: an alert joining or leaving the group,
 * resolving, or firing again (a new `startsAt`). A reminder sent every `repeat_interval` repeats the group unchanged,
 * so it is a duplicate while within the source's de-duplication window. Hashed: a group key alone can exceed the
 * 256 characters a delivery id may have.
 */
export function alertGroupDeliveryId(body: JsonObject | null): string | null {
  const groupKey = body?.['groupKey'];
  const alerts = body?.['alerts'];
  if (typeof groupKey !== 'string' || !Array.isArray(alerts)) return null;
  const each = alerts
    .map((entry) => {
      const alert = asObject(entry);
      // Without a fingerprint (older senders), the labels it is computed from stand in for it.
      return JSON.stringify([alert?.['fingerprint'] ?? alert?.['labels'] ?? null, alert?.['status'] ?? null, alert?.['startsAt'] ?? null, alert?.['endsAt'] ?? null]);
    })
    .sort();
  return createHash('sha256').update(JSON.stringify([groupKey, body?.['status'] ?? null, each])).digest('hex');
}
