import { chatRequest } from '../chat/chat-delivery.ts';
import { patchHeaders } from '../lib/headers.ts';
import type { AttemptRequest, ClaimedDelivery, Endpoint, EndpointChat } from '../store/types.ts';
import type { EndpointCache } from './endpoint-cache.ts';
import { signatureHeader } from './signing.ts';

/** What an attempt sends, headers and body: Herald's signed JSON, an inbound request passed on, or a chat message. */
export class AttemptRequests {
  constructor(
    private readonly endpoints: Pick<EndpointCache, 'secrets'>,
    private readonly userAgent: string,
    /** HERALD_PUBLIC_URL: chat messages link to the message in the dashboard under it. */
    private readonly publicUrl: string | undefined,
  ) {}

  /**
   * What a chat endpoint gets: the tool's own body, signed the tool's way (chat/chat-delivery.ts). A payload the
   * endpoint's transformation changed is that body as it is; one it left alone is worded by the endpoint's template.
   */
  chat(endpoint: Endpoint, chat: EndpointChat, item: ClaimedDelivery, transformed: string | null, url: string, startedAt: number) {
    const payload = parsedOrText(item.payload!);
    const subject = { msgId: item.messageId, appId: item.appId, eventType: item.eventType, payload };
    const changed = transformed !== null && transformed !== JSON.stringify(payload) ? JSON.parse(transformed) : null;
    const prepared = chatRequest(chat, subject, changed, url, this.publicUrl, startedAt);
    const headers = { ...endpoint.headers, 'content-type': 'application/json', 'user-agent': this.userAgent };
    return { headers, body: prepared.body, url: prepared.url };
  }

  /**
   * What goes to the endpoint: Herald's own signed JSON, or an inbound request passed on as it came (its headers,
   * the destination's custom headers over them, and Herald's signature only when its source asks for it).
   */
  async webhook(item: ClaimedDelivery, payload: string, endpoint: Endpoint, startedAt: number): Promise<{ headers: Record<string, string>; body: string | Buffer }> {
    const forward = item.forward;
    const body = forward?.base64 ? Buffer.from(payload, 'base64') : payload;
    if (forward && !forward.sign) return { headers: patchHeaders(forward.headers, endpoint.headers), body };
    const secrets = await this.endpoints.secrets(endpoint.id, startedAt);
    const timestamp = Math.floor(startedAt / 1000);
    const signature = {
      'webhook-id': item.messageId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(secrets, item.messageId, timestamp, body),
    };
    if (forward) return { headers: { ...patchHeaders(forward.headers, endpoint.headers), ...signature }, body };
    return { headers: { ...endpoint.headers, 'content-type': 'application/json', 'user-agent': this.userAgent, ...signature }, body };
  }
}

/** A payload as a chat template reads it: parsed JSON, or the text itself (an inbound request that was not JSON). */
function parsedOrText(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
}

/**
 * The attempt log's copy of the request headers: the values of the endpoint's custom headers, and of the Authorization
 * header its authentication adds (`authorization`), are named, not kept.
 */
export function recordedRequest(sent: Record<string, string>, custom: Record<string, string>, authorization: boolean): AttemptRequest {
  const sensitive = new Set(Object.keys(custom).map((name) => name.toLowerCase()));
  if (authorization) sensitive.add('authorization');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(sent)) if (!sensitive.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  return { headers, sensitive: [...sensitive] };
}
