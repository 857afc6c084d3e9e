import { createHmac } from 'node:crypto';
import type { ChatKind, ChatMessage, ChatVerdict } from '../kind.ts';
import { fitMessage, jsonBytes, jsonObject, retryAfterHeader, statusVerdict, truncate, unsignedRequest } from '../kind.ts';

/**
 * Feishu / Lark custom bots ("自定义机器人使用指南", https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot,
 * the same page on open.larksuite.com for Lark): `msg_type` text, post, image, share_chat or interactive. The bot
 * answers HTTP 200 with `{code: 0, msg: "success"}` or `{code, msg}` naming the error.
 */

// "发送消息时，请求体的数据大小不能超过 20 KB" (the same guide); room is kept for the timestamp and sign a secret adds.
const MAX_BYTES = 20_000 - 100;
const MAX_TITLE = 100;
const MAX_FIELD = 500;

// Card header templates (https://open.feishu.cn/document/common-capabilities/message-card/message-cards-content/card-header).
const TEMPLATE: Record<ChatMessage['severity'], string> = { info: 'blue', success: 'green', warning: 'orange', error: 'red' };

function card(message: ChatMessage): Record<string, unknown> {
  const elements: Record<string, unknown>[] = [];
  if (message.text.trim() !== '') elements.push({ tag: 'markdown', content: message.text });
  if (message.fields.length > 0) {
    elements.push({ tag: 'div', fields: message.fields.map(({ name, value }) => ({ is_short: true, text: { tag: 'lark_md', content: `**${name}**\n${value}` } })) });
  }
  if (message.link) {
    elements.push({ tag: 'action', actions: [{ tag: 'button', text: { tag: 'plain_text', content: message.link.label }, type: 'primary', url: message.link.url }] });
  }
  return {
    msg_type: 'interactive',
    card: { config: { wide_screen_mode: true }, header: { title: { tag: 'plain_text', content: message.title }, template: TEMPLATE[message.severity] }, elements },
  };
}

function render(message: ChatMessage): Record<string, unknown> {
  const bounded: ChatMessage = {
    ...message,
    title: truncate(message.title, MAX_TITLE),
    fields: message.fields.map(({ name, value }) => ({ name: truncate(name, MAX_FIELD), value: truncate(value, MAX_FIELD) })),
  };
  return card(fitMessage(bounded, (candidate) => jsonBytes(card(candidate)), MAX_BYTES));
}

/**
 * The guide's signature: `timestamp + "\n" + secret` is the HMAC-SHA256 *key*, the signed message is empty, and the
 * result is base64; `timestamp` (seconds) and `sign` go in the body next to `msg_type`.
 */
export function feishuSign(secret: string, timestampSeconds: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

function prepare(url: string, body: Record<string, unknown>, secret: string | null, nowMs: number): { url: string; body: string } {
  if (!secret) return unsignedRequest(url, body);
  const timestamp = String(Math.floor(nowMs / 1000));
  return { url, body: JSON.stringify({ ...body, timestamp, sign: feishuSign(secret, timestamp) }) };
}

// Codes from the guide's FAQ and the bots' answers: the signature or the sender's IP refused by the bot's security
// settings, or a webhook token that no longer exists (bot removed): nothing gets through until someone fixes it.
const ENDPOINT_BROKEN = new Set([
  19001, // "param invalid: incoming webhook access token invalid"
  19021, // "sign match fail or timestamp is not within one hour from current time"
  19022, // "Ip Not Allowed"
]);
const FREQUENCY_LIMITED = 11232;

function judge(statusCode: number, headers: Record<string, string | undefined>, body: string): ChatVerdict {
  const answer = jsonObject(body);
  // Older bots answer `{StatusCode, StatusMessage}` instead of `{code, msg}`.
  const code = typeof answer?.code === 'number' ? answer.code : typeof answer?.StatusCode === 'number' ? answer.StatusCode : null;
  if (code === null || (code === 0 && statusCode >= 200 && statusCode < 300)) return statusVerdict('Feishu', statusCode, headers, body);
  const words = typeof answer?.msg === 'string' ? answer.msg : typeof answer?.StatusMessage === 'string' ? answer.StatusMessage : '';
  const reason = `Feishu error ${code}: ${truncate(words, 300)}`;
  if (code === FREQUENCY_LIMITED || statusCode === 429) return { ok: false, reason, retry: true, disable: false, retryAfterSeconds: retryAfterHeader(headers) ?? 60 };
  if (ENDPOINT_BROKEN.has(code)) return { ok: false, reason, retry: false, disable: true };
  // 9499 Bad Request, 19024 Key Words Not Found (this message lacks the keyword; another may carry it)…: this body.
  return { ok: false, reason, retry: statusCode >= 500, disable: false };
}

export const feishu: ChatKind = {
  name: 'feishu',
  label: 'Feishu / Lark',
  // "单租户单机器人 100 次/分钟，5 次/秒" (the guide): 5 a second would be 300 a minute, so 100 a minute binds.
  ratePerMinute: 100,
  render,
  signs: true,
  prepare,
  judge,
};
