/**
 * The contract every chat provider (Slack, Teams, Discord, Feishu / Lark, DingTalk, WeCom) fulfils, and the small
 * text and answer helpers they share. A kind knows its provider's documented body, signature and answers, and nothing
 * of Herald's engine: it renders a message, prepares the request, and judges the answer.
 */

import { CHAT_KIND_NAMES, type ChatKindName } from '../store/types.ts';

export { CHAT_KIND_NAMES as CHAT_KINDS, type ChatKindName };

/** What a chat message says, before a provider's shape: built from a webhook by a template (Herald's default or the endpoint's). */
export interface ChatMessage {
  /** One line, e.g. "invoice.paid" turned into "Invoice paid". */
  title: string;
  /** The body: a few lines of plain text (may hold simple markdown: **bold**, [link](url), lists). */
  text: string;
  /** Key facts, shown as a table/fields where the provider has them. */
  fields: { name: string; value: string }[];
  /** E.g. "Open in Herald" → the message in the dashboard. */
  link: { label: string; url: string } | null;
  /** Colours/emoji where the provider has them. */
  severity: 'info' | 'success' | 'warning' | 'error';
}

/**
 * How the provider took a request. retry: whether trying later can succeed (rate limits, 5xx, timeouts yes; a bad
 * signature, a removed bot, an invalid body no). disable: the endpoint cannot work until someone fixes it (bad secret,
 * removed/disabled bot, invalid URL/key). reason: the provider's own words/code, for the attempt log.
 */
export type ChatVerdict = { ok: true } | { ok: false; reason: string; retry: boolean; disable: boolean; retryAfterSeconds?: number };

export interface ChatKind {
  name: ChatKindName;
  /** For people, e.g. "Feishu / Lark". */
  label: string;
  /** The documented (or, where none is, chosen) per-webhook limit, as messages per minute. */
  ratePerMinute: number;
  /** The provider's body for the message. */
  render(message: ChatMessage): Record<string, unknown>;
  /** Whether this provider has an optional signing secret (Feishu, DingTalk). */
  signs: boolean;
  /** The request as sent: the final URL and JSON body text, signed when a secret is given and the provider signs. */
  prepare(url: string, body: Record<string, unknown>, secret: string | null, nowMs: number): { url: string; body: string };
  /** Reads the provider's answer (status, headers lower-cased, body text). */
  judge(statusCode: number, headers: Record<string, string | undefined>, body: string): ChatVerdict;
}

const ELLIPSIS = '…';

/** At most `max` characters (code points, so no emoji is cut in half), ending in "…" when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  if (max < 1) return '';
  return chars.slice(0, max - 1).join('') + ELLIPSIS;
}

export const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** At most `maxBytes` bytes of UTF-8, ending in "…" when cut, for the providers that count bytes (WeCom, DingTalk, Feishu). */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const budget = maxBytes - utf8Bytes(ELLIPSIS);
  if (budget < 0) return '';
  let used = 0;
  let kept = '';
  for (const char of text) {
    const size = utf8Bytes(char);
    if (used + size > budget) break;
    used += size;
    kept += char;
  }
  return kept + ELLIPSIS;
}

export const jsonBytes = (value: unknown): number => utf8Bytes(JSON.stringify(value));

/**
 * The message cut down until `measure` says it is within `maxBytes`: the text first (it is the long part), then the
 * last fields. Used where a provider limits the whole body or one text in bytes rather than each field in characters.
 */
export function fitMessage(message: ChatMessage, measure: (message: ChatMessage) => number, maxBytes: number): ChatMessage {
  let fitted = message;
  for (let overflow = measure(fitted) - maxBytes; overflow > 0; overflow = measure(fitted) - maxBytes) {
    if (fitted.text !== '') fitted = { ...fitted, text: truncateUtf8(fitted.text, utf8Bytes(fitted.text) - overflow - utf8Bytes(ELLIPSIS)) };
    else if (fitted.fields.length > 0) fitted = { ...fitted, fields: fitted.fields.slice(0, -1) };
    else break;
  }
  return fitted;
}

/** The answer as a JSON object, or null when it is not one (an HTML error page, plain text, empty). */
export function jsonObject(body: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Retry-After as seconds (RFC 9110: delay-seconds or an HTTP date), or undefined when absent or unreadable. */
export function retryAfterHeader(headers: Record<string, string | undefined>, nowMs = Date.now()): number | undefined {
  const value = headers['retry-after']?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** A provider's answer, short enough for the attempt log. */
export const answerText = (body: string): string => truncate(body.trim(), 300) || '(empty body)';

/**
 * The answer judged by its HTTP status alone, for answers a kind has no code for: 2xx delivered; 429 a rate limit;
 * 5xx the provider's trouble, worth retrying; any other status a problem with the request, not retried and not a
 * reason to disable the endpoint.
 */
export function statusVerdict(provider: string, statusCode: number, headers: Record<string, string | undefined>, body: string, defaultRetryAfterSeconds = 60): ChatVerdict {
  if (statusCode >= 200 && statusCode < 300) return { ok: true };
  const reason = `${provider} HTTP ${statusCode}: ${answerText(body)}`;
  if (statusCode === 429) return { ok: false, reason, retry: true, disable: false, retryAfterSeconds: retryAfterHeader(headers) ?? defaultRetryAfterSeconds };
  return { ok: false, reason, retry: statusCode >= 500, disable: false };
}

/** The usual body for the providers without a signature: the rendered (or transformed) body, as JSON, to the URL as given. */
export const unsignedRequest = (url: string, body: Record<string, unknown>): { url: string; body: string } => ({ url, body: JSON.stringify(body) });
