import type { ChatKind, ChatMessage, ChatVerdict } from '../kind.ts';
import { fitMessage, jsonObject, statusVerdict, truncate, unsignedRequest, utf8Bytes } from '../kind.ts';

/**
 * WeCom (企业微信) group robots ("群机器人配置说明", https://developer.work.weixin.qq.com/document/path/91770):
 * `msgtype` text, markdown, image, news, file or template_card, POSTed to `/cgi-bin/webhook/send?key=…`. The robot
 * answers HTTP 200 with `{errcode: 0, errmsg: "ok"}` or `{errcode, errmsg}` from the global codes
 * (全局错误码, https://developer.work.weixin.qq.com/document/path/90455).
 */

// "markdown内容，最长不超过4096个字节，必须是utf8编码" (91770).
const MAX_CONTENT_BYTES = 4096;
const MAX_TITLE = 100;
const MAX_FIELD = 300;

// WeCom markdown has three font colours: info (green), comment (grey), warning (orange-red) (91770).
const COLOR: Record<ChatMessage['severity'], string> = { info: 'comment', success: 'info', warning: 'warning', error: 'warning' };

function content(message: ChatMessage): string {
  const lines = [`<font color="${COLOR[message.severity]}">**${message.title}**</font>`];
  if (message.text.trim() !== '') lines.push(message.text);
  for (const { name, value } of message.fields) lines.push(`> ${name}: <font color="comment">${value}</font>`);
  if (message.link) lines.push(`[${message.link.label}](${message.link.url})`);
  return lines.join('\n');
}

function render(message: ChatMessage): Record<string, unknown> {
  const bounded: ChatMessage = {
    ...message,
    title: truncate(message.title, MAX_TITLE),
    fields: message.fields.map(({ name, value }) => ({ name: truncate(name, MAX_FIELD), value: truncate(value, MAX_FIELD) })),
  };
  return { msgtype: 'markdown', markdown: { content: content(fitMessage(bounded, (candidate) => utf8Bytes(content(candidate)), MAX_CONTENT_BYTES)) } };
}

// "每个机器人发送的消息不能超过20条/分钟" (91770): a minute's wait empties the window.
const WINDOW_SECONDS = 60;
const FREQUENCY_LIMITED = 45009; // "api freq out of limit"
const ENDPOINT_GONE = new Set([
  93000, // "invalid webhook url": the key is wrong, or the robot was removed from the group
  93004, // the robot was disabled
]);
const SYSTEM_BUSY = -1;

function judge(statusCode: number, headers: Record<string, string | undefined>, body: string): ChatVerdict {
  const answer = jsonObject(body);
  const code = typeof answer?.errcode === 'number' ? answer.errcode : null;
  if (code === null || (code === 0 && statusCode >= 200 && statusCode < 300)) return statusVerdict('WeCom', statusCode, headers, body, WINDOW_SECONDS);
  const words = typeof answer?.errmsg === 'string' ? answer.errmsg : '';
  const reason = `WeCom error ${code}: ${truncate(words, 300)}`;
  if (code === FREQUENCY_LIMITED) return { ok: false, reason, retry: true, disable: false, retryAfterSeconds: WINDOW_SECONDS };
  if (ENDPOINT_GONE.has(code)) return { ok: false, reason, retry: false, disable: true };
  // 40008 invalid message type, 44004 empty content, 40058 content too long…: this body is wrong.
  return { ok: false, reason, retry: code === SYSTEM_BUSY || statusCode >= 500, disable: false };
}

export const wecom: ChatKind = {
  name: 'wecom',
  label: 'WeCom (企业微信)',
  ratePerMinute: 20,
  render,
  signs: false,
  prepare: (url, body) => unsignedRequest(url, body),
  judge,
};
