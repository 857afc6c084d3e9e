import type { Attempt, AttemptRequest, Delivery, StatusValue, TriggerValue } from '../types.ts';

/** Row mappings whose columns read the same in both dialects. */

type Row = Record<string, any>;

export const toDelivery = (r: Row): Delivery => ({
  id: r.id,
  messageId: r.message_id,
  endpointId: r.endpoint_id,
  status: r.status as StatusValue,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastStatusCode: r.last_status_code,
  trigger: r.trigger as TriggerValue,
  updatedAt: r.updated_at,
});

export const toAttempt = (r: Row): Attempt => ({
  id: r.id,
  appId: r.app_id,
  messageId: r.message_id,
  endpointId: r.endpoint_id,
  url: r.url,
  status: r.status as StatusValue,
  responseStatusCode: r.response_status_code,
  response: r.response,
  durationMs: r.duration_ms,
  trigger: r.trigger as TriggerValue,
  createdAt: r.created_at,
  request: r.request_headers ? JSON.parse(r.request_headers) as AttemptRequest : null,
});
