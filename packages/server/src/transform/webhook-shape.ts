/**
 * The webhook a transformation receives and returns (Svix's contract), and the host-side check of what came back.
 * The sandbox hands over the handler's result as JSON text produced inside it, so everything here is plain JSON
 * that may still be any shape at all.
 */

export type WebhookMethod = 'POST' | 'PUT';

export interface WebhookShape {
  method: WebhookMethod;
  url: string;
  payload: unknown;
  eventType: string;
}

export interface TransformedWebhook {
  webhook: WebhookShape;
  cancel: boolean;
}

const METHODS: readonly string[] = ['POST', 'PUT'] satisfies WebhookMethod[];

/** How a JSON value reads in a sentence: "a number", "null", "an array". */
function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * The webhook as the handler left it, or why it cannot be sent. The event type is the message's and is kept whatever
 * the handler did with it. The URL is only checked to be http(s); the caller's private-address guard still applies.
 */
export function readTransformed(result: unknown, input: WebhookShape): TransformedWebhook | string {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    return `the handler returned ${describeJsonType(result)}, not the webhook object`;
  }
  const { method, url, payload, cancel } = result as Record<string, unknown>;
  if (typeof method !== 'string' || !METHODS.includes(method)) {
    return `the handler returned ${described('method', method, 20)}; it must be 'POST' or 'PUT'`;
  }
  const urlProblem = checkUrl(url);
  if (urlProblem !== null) return urlProblem;
  if (!('payload' in result)) {
    return 'the handler returned no payload (undefined, functions and symbols do not survive JSON)';
  }
  if (cancel !== undefined && typeof cancel !== 'boolean') {
    return `the handler returned cancel as ${describeJsonType(cancel)}; it must be true or false`;
  }
  return {
    webhook: { method: method as WebhookMethod, url: url as string, payload, eventType: input.eventType },
    cancel: cancel === true,
  };
}

function checkUrl(url: unknown): string | null {
  const parsed = typeof url === 'string' && URL.canParse(url) ? new URL(url) : null;
  if (parsed?.protocol === 'http:' || parsed?.protocol === 'https:') return null;
  return `the handler returned ${described('url', url, 200)}; it must be an http(s) URL`;
}

/** "no url", "url as a number", "url 'ftp://x'" (cut to `chars`). */
function described(field: string, value: unknown, chars: number): string {
  if (value === undefined) return `no ${field}`;
  return typeof value === 'string' ? `${field} '${value.slice(0, chars)}'` : `${field} as ${describeJsonType(value)}`;
}
