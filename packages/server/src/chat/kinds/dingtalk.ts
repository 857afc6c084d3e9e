import { createHmac } from 'node:crypto';
import type { ChatKind, ChatMessage, ChatVerdict } from '../kind.ts';
import { fitMessage, jsonBytes, jsonObject, statusVerdict, truncate, unsignedRequest } from '../kind.ts';

/**
 * DingTalk custom robots ("自定义机器人接入", https://open.dingtalk.com/document/robots/custom-robot-access, and
 * "Custom bots send group messages", https://help.dingtalk.io/open/development/custom-robots-send-group-messages):
 * `msgtype` text, link, markdown, actionCard or feedCard, POSTed to `/robot/send?access_token=…`. The robot answers
 * HTTP 200 with `{errcode: 0, errmsg: "ok"}` or `{errcode, errmsg}` naming the error.
 */

// A robot message is kept under 20,000 bytes (DingTalk gives no single figure for markdown; this is the common bound).
const MAX_BYTES = 20_000;
const MAX_TITLE = 100;
const MAX_FIELD = 500;

const EMOJI: Record<ChatMessage['severity'], string> = { info: 'ℹ️', success: '✅', warning: '⚠️', error: '🚨' };

/** Markdown the robot renders: a `###` heading, the text, the fields as a list; the link too when there is no button. */
function markdownText(message: ChatMessage, withLink: boolean): string {
  const parts = [`### ${EMOJI[message.severity]} ${message.title}`];
  if (message.text.trim() !== '') parts.push(message.text);
  if (message.fields.length > 0) parts.push(message.fields.map(({ name, value }) => `- **${name}**: ${value}`).join('\n'));
  if (withLink && message.link) parts.push(`[${message.link.label}](${message.link.url})`);
  return parts.join('\n\n');
}

/** An actionCard when there is a link (it becomes the card's button), markdown otherwise. */
function shape(message: ChatMessage): Record<string, unknown> {
  const title = `${EMOJI[message.severity]} ${message.title}`;
  if (message.link) {
    return { msgtype: 'actionCard', actionCard: { title, text: markdownText(message, false), singleTitle: message.link.label, singleURL: message.link.url, btnOrientation: '0' } };
  }
  return { msgtype: 'markdown', markdown: { title, text: markdownText(message, true) } };
}

function render(message: ChatMessage): Record<string, unknown> {
  const bounded: ChatMessage = {
    ...message,
    title: truncate(message.title, MAX_TITLE),
    fields: message.fields.map(({ name, value }) => ({ name: truncate(name, MAX_FIELD), value: truncate(value, MAX_FIELD) })),
  };
  return shape(fitMessage(bounded, (candidate) => jsonBytes(shape(candidate)), MAX_BYTES));
}

/**
 * The security settings' signature ("加签", https://open.dingtalk.com/document/robots/customize-robot-security-settings,
 * in English at https://help.dingtalk.io/open/dingstart/customize-robot-security-settings):
 * HMAC-SHA256 keyed with the secret over `timestamp + "\n" + secret`, base64, then URL-encoded into the query.
 */
export function dingtalkSign(secret: string, timestampMs: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

function prepare(url: string, body: Record<string, unknown>, secret: string | null, nowMs: number): { url: string; body: string } {
  if (!secret) return unsignedRequest(url, body);
  const signed = new URL(url);
  const timestamp = String(Math.floor(nowMs));
  // URLSearchParams writes the sign form-encoded (+ / = escaped), which is the urlEncode the page asks for.
  signed.searchParams.set('timestamp', timestamp);
  signed.searchParams.set('sign', dingtalkSign(secret, timestamp));
  return { url: signed.toString(), body: JSON.stringify(body) };
}

// "Each bot can send up to 20 chats per minute to a group. Exceeding 20 chats triggers a 10-minute rate limit"
// (custom-robots-send-group-messages): a limited robot stays limited for ten minutes, so a retry sooner is wasted.
const THROTTLE_SECONDS = 600;
const RATE_LIMITED = new Set([
  130101, // "send too fast, exceed 20 times per minute"
  660026, // "sending too many messages per minute"
]);
// 310000 is every security check: "keywords not in content", "invalid timestamp", "sign not match",
// "ip X.X.X.X not in whitelist" (custom-robot-access, 常见问题). Only the keyword depends on the message.
const SECURITY_CHECK = 310000;
const ENDPOINT_GONE = new Set([
  300001, // "token is not exist": the robot was removed or its webhook never existed
  300005, // the same answer under the newer code
  400013, // the group was disbanded
]);
const SYSTEM_BUSY = -1;

function judge(statusCode: number, headers: Record<string, string | undefined>, body: string): ChatVerdict {
  const answer = jsonObject(body);
  const code = typeof answer?.errcode === 'number' ? answer.errcode : null;
  if (code === null || (code === 0 && statusCode >= 200 && statusCode < 300)) return statusVerdict('DingTalk', statusCode, headers, body, THROTTLE_SECONDS);
  const words = typeof answer?.errmsg === 'string' ? answer.errmsg : '';
  const reason = `DingTalk error ${code}: ${truncate(words, 300)}`;
  if (RATE_LIMITED.has(code)) return { ok: false, reason, retry: true, disable: false, retryAfterSeconds: THROTTLE_SECONDS };
  if (code === SECURITY_CHECK) return { ok: false, reason, retry: false, disable: !/keyword/i.test(words) };
  if (ENDPOINT_GONE.has(code)) return { ok: false, reason, retry: false, disable: true };
  return { ok: false, reason, retry: code === SYSTEM_BUSY || statusCode >= 500, disable: false };
}

export const dingtalk: ChatKind = {
  name: 'dingtalk',
  label: 'DingTalk',
  // "每个机器人每分钟最多发送20条" (custom-robot-access).
  ratePerMinute: 20,
  render,
  signs: true,
  prepare,
  judge,
};
