import { reject } from './signatures.ts';

/** An inbound request as received: header names lower-case (Node style), the body as the exact bytes sent. */
export interface InboundRequest {
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * A header's value, trimmed; undefined when absent or empty. Names match whatever their case. Repeated headers are
 * joined with ", " as Node itself joins them, so a request reads the same whichever way its headers were collected.
 */
export function headerValue(headers: InboundRequest['headers'], name: string): string | undefined {
  const wanted = name.toLowerCase();
  // Object.hasOwn: a configured name such as "constructor" must not find Object.prototype's.
  const value = Object.hasOwn(headers, wanted) ? headers[wanted] : Object.entries(headers).find(([key]) => key.toLowerCase() === wanted)?.[1];
  const text = (Array.isArray(value) ? value.join(', ') : typeof value === 'string' ? value : '').trim();
  return text === '' ? undefined : text;
}

export function requireHeader(headers: InboundRequest['headers'], name: string): string {
  return headerValue(headers, name) ?? reject(`missing header ${name}`);
}

export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
}

export function parseObject(text: string): JsonObject | null {
  try {
    return asObject(JSON.parse(text));
  } catch {
    return null;
  }
}

// The delivery id and the event type are read from the same body one after the other; parse it once.
const parsedBodies = new WeakMap<Buffer, JsonObject | null>();

/** The body as a JSON object, or null when it is not one. */
export function jsonBody(body: Buffer): JsonObject | null {
  if (!parsedBodies.has(body)) parsedBodies.set(body, parseObject(body.toString('utf8')));
  return parsedBodies.get(body) ?? null;
}
