import type { Logger } from 'pino';
import { newId } from '../lib/ids.ts';
import type { EndpointCache } from '../delivery/endpoint-cache.ts';
import type { Publisher } from '../delivery/publish.ts';
import type { ForwardSpec, InboundRequest, InboundStatus, Source } from '../store/inbound-types.ts';
import type { InboundStore } from '../store/storage.ts';
import { providerDeliveryId, providerEventType, verifyInbound, type Verification } from './verification.ts';

/** The event type of a request whose provider names none: destinations filtering on event types can still pick it. */
export const DEFAULT_INBOUND_EVENT_TYPE = 'inbound';

/** Hop-by-hop and framing headers: they describe the provider's connection to Herald, not the webhook. */
const NOT_FORWARDED = new Set([
  'host', 'connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'content-length', 'expect',
]);

export interface RawInbound {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  ip: string | null;
}

export interface InboundAnswer {
  status: number;
  contentType: string | null;
  body: string;
}

const json = (status: number, value: unknown): InboundAnswer => ({ status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) });

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function cleanHeaders(headers: RawInbound['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

/** The headers the destinations get: the provider's, less those about its connection to Herald. */
function forwardedHeaders(headers: Record<string, string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!NOT_FORWARDED.has(name)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The header that carries a credential meant for Herald itself (never a provider's signature, which is the sender's). */
function credentialHeader(v: Verification): string | null {
  if (v.type === 'basic-auth') return 'authorization';
  if (v.type === 'api-key') return v.header.toLowerCase();
  // GitLab's token is the shared secret itself, not a signature of the body.
  if (v.type === 'gitlab') return 'x-gitlab-token';
  if ((v.type === 'alertmanager' || v.type === 'grafana') && (v.token !== undefined || v.username !== undefined)) return 'authorization';
  return null;
}

/** A provider's setup request, answered but never forwarded. */
function handshake(eventType: string | null, parsed: unknown, headers: Record<string, string | string[]>): InboundAnswer | 'answer' | null {
  const body = parsed as { type?: unknown; challenge?: unknown } | undefined;
  // Slack's Events API checks a new request URL by asking for its challenge back.
  if (body?.type === 'url_verification' && typeof body.challenge === 'string') return json(200, { challenge: body.challenge });
  if (headers['x-github-event'] === 'ping' || eventType === 'ping') return 'answer';
  return null;
}

/**
 * What is kept of a rejected request's body: enough to debug a misconfigured secret, not a way for anyone on the
 * internet to fill the disk through a URL that needs no token.
 */
export const REJECTED_BODY_KEPT = 64 * 1024;

/** As an event type name (letters, digits, "-", "_", "."), so destinations can filter on it: Shopify's orders/create is orders.create. */
function eventTypeName(providerType: string | null): string | null {
  return providerType === null ? null : providerType.replace(/[^a-zA-Z0-9\-_.]/g, '.');
}

/**
 * The body as the message's payload text: as it came when it is UTF-8 text, else base64 (and the forwarding says
 * so). A NUL byte, valid UTF-8 though it is, goes base64 too: PostgreSQL text cannot hold it, and storing the
 * message failed there, leaving the request unforwarded.
 */
function payloadText(body: Buffer): { text: string; base64: boolean } {
  const text = body.toString('utf8');
  const isText = !body.includes(0) && Buffer.byteLength(text) === body.length && Buffer.from(text, 'utf8').equals(body);
  return isText ? { text, base64: false } : { text: body.toString('base64'), base64: true };
}

/**
 * The front door of the inbound gateway: each request to a source is verified on its raw bytes, stored as it came
 * (before it is answered), and, when accepted, published into the source's application as a message that passes
 * it on, so the one delivery engine forwards it to the destinations with retries, the attempt log and replay.
 */
export class Ingestor {
  constructor(
    /** Sources, and the requests they received as they came and then as settled. */
    private readonly inbound: Pick<InboundStore, 'getSource' | 'storeInboundRequest' | 'settleInboundRequest'>,
    /** The source's application is read through the same cache publishing uses, not once per request. */
    private readonly endpoints: Pick<EndpointCache, 'app'>,
    private readonly publisher: Publisher,
    private readonly log: Logger,
  ) {}

  async receive(sourceRef: string, raw: RawInbound, now = Date.now()): Promise<InboundAnswer> {
    const source = await this.inbound.getSource(sourceRef);
    if (!source) return json(404, { code: 'not_found', detail: 'Source not found' });
    const headers = cleanHeaders(raw.headers);
    const verification = source.verification as Verification;
    const subject = { headers, body: raw.body };
    const verdict = verifyInbound(verification, subject, now);
    const parsed = parseJson(raw.body);
    const eventType = eventTypeName(providerEventType(verification, subject));
    let status: InboundStatus = source.inspect ? 'inspected' : verdict.ok ? 'received' : 'rejected';
    const setup = status === 'received' ? handshake(eventType, parsed, headers) : null;
    if (setup) status = 'handshake';
    const request: InboundRequest = {
      id: newId('inreq', now), sourceId: source.id, receivedAt: now, method: raw.method, path: raw.path, query: raw.query, headers,
      body: status === 'rejected' ? raw.body.subarray(0, REJECTED_BODY_KEPT) : raw.body, ip: raw.ip, status,
      reason: verdict.ok ? null : raw.body.length > REJECTED_BODY_KEPT && status === 'rejected' ? `${verdict.reason} (body cut to its first 64 KiB)` : verdict.reason,
      providerId: providerDeliveryId(verification, subject),
      eventType, messageId: null,
    };
    const dedupeSince = status === 'received' && source.dedupeWindowSeconds > 0 ? now - source.dedupeWindowSeconds * 1000 : null;
    const { duplicateOf } = await this.inbound.storeInboundRequest(request, dedupeSince);

    if (status === 'rejected') return json(401, { code: 'verification_failed', detail: 'The request could not be verified' });
    if (setup && setup !== 'answer') return setup;
    if (status === 'received' && !duplicateOf) {
      let messageId: string;
      try {
        messageId = await this.forward(source, request, parsed);
      } catch (err) {
        // Stored but not handed to delivery: the provider is told to try again, and the request can be replayed.
        this.log.error({ err, sourceId: source.id, inboundRequestId: request.id }, 'an inbound request was stored but could not be forwarded');
        await this.inbound.settleInboundRequest(request.id, 'received', null, `not forwarded: ${(err as Error).message}`).catch(() => undefined);
        return json(500, { code: 'internal_error', detail: 'Internal server error' });
      }
      // Forwarded already: a failure to record that must not make the provider send it again.
      await this.inbound.settleInboundRequest(request.id, 'accepted', messageId, null).catch((err: unknown) =>
        this.log.error({ err, inboundRequestId: request.id, messageId }, 'an inbound request was forwarded but could not be marked accepted'));
    }
    return { status: source.response.status, contentType: source.response.contentType, body: source.response.body ?? '' };
  }

  /** Publishes a stored request into its source's application, to the destinations that want it; returns the message id. */
  async forward(source: Source, request: InboundRequest, parsed: unknown = parseJson(request.body)): Promise<string> {
    const app = await this.endpoints.app(source.appId);
    if (!app) throw new Error(`the application ${source.appId} of source ${source.id} is gone`);
    const { text, base64 } = payloadText(request.body);
    const headers = forwardedHeaders(request.headers);
    // A password or key the sender presented was for Herald: a destination holding it could post into the source.
    const credential = credentialHeader(source.verification as Verification);
    if (credential) delete headers[credential];
    const forward: ForwardSpec = { headers, sign: source.signForwarded, sourceId: source.id, ...(base64 ? { base64: true } : {}) };
    const messageId = newId('msg');
    await this.publisher.publish({
      app,
      message: {
        eventType: request.eventType ?? DEFAULT_INBOUND_EVENT_TYPE,
        payload: {},
        eventId: null,
        channels: null,
        tags: null,
        deliverAt: null,
        inbound: { messageId, text, forward },
        filterSubject: { headers: request.headers, body: parsed },
      },
    });
    return messageId;
  }
}
