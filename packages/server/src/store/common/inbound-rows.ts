import type { SecretCodec } from '../../security/secret-box.ts';
import { sourceVerificationContext } from '../../security/secret-box.ts';
import { parsedJson } from './json.ts';
import type { InboundRequest, InboundStatus, Source } from '../inbound-types.ts';

/** Row mapping for sources and stored inbound requests, the same in both dialects. */

type Row = Record<string, any>;

export const SOURCE_COLUMNS =
  'id, uid, name, app_id, verification, response_status, response_body, response_content_type, inspect, dedupe_window, sign_forwarded, created_at, updated_at';

export const INBOUND_COLUMNS = 'id, source_id, received_at, method, path, query, headers, body, ip, status, reason, provider_id, event_type, message_id';

export const sealVerification = (s: Source, secrets: SecretCodec): string =>
  secrets.seal(JSON.stringify(s.verification), sourceVerificationContext(s.id));

export const sourceValues = (s: Source, secrets: SecretCodec): unknown[] => [
  s.id, s.uid, s.name, s.appId, sealVerification(s, secrets), s.response.status, s.response.body, s.response.contentType,
  s.inspect, s.dedupeWindowSeconds, s.signForwarded, s.createdAt, s.updatedAt,
];

export const toSource = (r: Row, secrets: SecretCodec): Source => ({
  id: r.id,
  uid: r.uid,
  name: r.name,
  appId: r.app_id,
  verification: JSON.parse(secrets.open(r.verification, sourceVerificationContext(r.id))),
  response: { status: r.response_status, body: r.response_body, contentType: r.response_content_type },
  inspect: Boolean(r.inspect),
  dedupeWindowSeconds: r.dedupe_window,
  signForwarded: Boolean(r.sign_forwarded),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const inboundValues = (q: InboundRequest): unknown[] => [
  q.id, q.sourceId, q.receivedAt, q.method, q.path, q.query, JSON.stringify(q.headers), q.body, q.ip, q.status, q.reason, q.providerId,
  q.eventType, q.messageId,
];

export const toInboundRequest = (r: Row): InboundRequest => ({
  id: r.id,
  sourceId: r.source_id,
  receivedAt: r.received_at,
  method: r.method,
  path: r.path,
  query: r.query,
  headers: parsedJson(r.headers),
  body: Buffer.from(r.body),
  ip: r.ip,
  status: r.status as InboundStatus,
  reason: r.reason,
  providerId: r.provider_id,
  eventType: r.event_type,
  messageId: r.message_id,
});
