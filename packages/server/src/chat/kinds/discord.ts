import type { ChatKind, ChatMessage, ChatVerdict } from '../kind.ts';
import { answerText, jsonObject, retryAfterHeader, truncate, unsignedRequest } from '../kind.ts';

/**
 * Discord webhooks (https://discord.com/developers/docs/resources/webhook#execute-webhook): `content` and/or up to 10
 * `embeds`. Without `?wait=true` Discord answers 204 No Content; errors are JSON `{code, message}` (JSON error codes,
 * https://discord.com/developers/docs/topics/opcodes-and-status-codes#json), a rate limit is 429 with
 * `{message, retry_after (seconds), global}` (https://discord.com/developers/docs/topics/rate-limits).
 */

// Embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits): title 256,
// description 4096, 25 fields of name 256 and value 1024, and 6000 characters in all across a message's embeds.
const LIMITS = { title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, total: 6000 };

const COLOR: Record<ChatMessage['severity'], number> = { info: 0x3498db, success: 0x2ecc71, warning: 0xf1c40f, error: 0xe74c3c };

/** Discord refuses an embed field with an empty name or value. */
const nonEmpty = (text: string): string => (text.trim() === '' ? '—' : text);

function render(message: ChatMessage): Record<string, unknown> {
  const title = truncate(message.title, LIMITS.title);
  const fields = message.fields.slice(0, LIMITS.fields).map(({ name, value }) => ({
    name: truncate(nonEmpty(name), LIMITS.fieldName),
    value: truncate(nonEmpty(value), LIMITS.fieldValue),
    inline: true,
  }));
  const size = (field: { name: string; value: string }) => Array.from(field.name).length + Array.from(field.value).length;
  // The 6000 total is shared: the fields keep what the title leaves, the description what is left after them.
  while (fields.length > 0 && Array.from(title).length + fields.reduce((sum, field) => sum + size(field), 0) > LIMITS.total) fields.pop();
  const left = LIMITS.total - Array.from(title).length - fields.reduce((sum, field) => sum + size(field), 0);
  const budget = Math.min(LIMITS.description, left);
  // The link closes the description; a long text is cut before it rather than the link.
  const linkLine = message.link ? `[${message.link.label}](${message.link.url})` : '';
  const text = truncate(message.text.trim(), Math.max(0, budget - (linkLine ? Array.from(linkLine).length + 2 : 0)));
  const description = truncate([text, linkLine].filter((part) => part !== '').join('\n\n'), budget);
  const embed: Record<string, unknown> = { title, color: COLOR[message.severity] };
  if (message.link) embed.url = message.link.url;
  if (description !== '') embed.description = description;
  if (fields.length > 0) embed.fields = fields;
  // No pings from a webhook's text: @everyone in an event's payload must not page a whole server.
  return { embeds: [embed], allowed_mentions: { parse: [] } };
}

// Unknown Webhook (deleted) and Invalid Webhook Token (URL cut or rotated): the URL will not work again.
const WEBHOOK_GONE = new Set([10015, 50027]);

function judge(statusCode: number, headers: Record<string, string | undefined>, body: string): ChatVerdict {
  if (statusCode >= 200 && statusCode < 300) return { ok: true };
  const answer = jsonObject(body);
  const code = typeof answer?.code === 'number' ? answer.code : null;
  const message = typeof answer?.message === 'string' ? answer.message : answerText(body);
  const reason = code !== null ? `Discord error ${code}: ${truncate(message, 300)} (HTTP ${statusCode})` : `Discord error ${statusCode}: ${truncate(message, 300)}`;
  if (statusCode === 429) {
    const bodySeconds = typeof answer?.retry_after === 'number' ? Math.ceil(answer.retry_after) : undefined;
    return { ok: false, reason, retry: true, disable: false, retryAfterSeconds: bodySeconds ?? retryAfterHeader(headers) ?? 60 };
  }
  if (code !== null && WEBHOOK_GONE.has(code)) return { ok: false, reason, retry: false, disable: true };
  // 50035 Invalid Form Body, 50006 empty message…: this body is wrong; 5xx is Discord's trouble.
  return { ok: false, reason, retry: statusCode >= 500, disable: false };
}

export const discord: ChatKind = {
  name: 'discord',
  label: 'Discord',
  // Discord publishes no fixed number and asks clients to follow the rate-limit headers; a webhook is commonly held to
  // about 30 messages a minute per channel (5 every 2 seconds in bursts), and a 429 still carries the exact wait.
  ratePerMinute: 30,
  render,
  signs: false,
  prepare: (url, body) => unsignedRequest(url, body),
  judge,
};
