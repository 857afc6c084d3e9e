import { createHash } from 'node:crypto';
import type { Endpoint } from '../store/types.ts';

/** A key longer than this is stored as its hash: it only has to tell groups apart. */
const LONGEST_KEY = 200;

/**
 * The turn group a message takes on an ordered endpoint: for a fifoEndpoint destination with a `key`, the value at
 * that dotted path of the payload (`customer.id`), so each customer's messages stay in order while customers go side
 * by side; null otherwise (and when the payload has no such value): one group, the whole endpoint in order.
 */
export function orderKeyOf(endpoint: Endpoint, payload: unknown): string | null {
  const path = endpoint.destination?.type === 'fifoEndpoint' ? endpoint.destination.config['key'] : undefined;
  if (typeof path !== 'string') return null;
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return null;
    value = (value as Record<string, unknown>)[part];
  }
  if (value === undefined || value === null) return null;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > LONGEST_KEY ? `sha256:${createHash('sha256').update(text).digest('hex')}` : text;
}
