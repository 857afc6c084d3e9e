import type { ChatKind, ChatMessage, ChatVerdict } from '../kind.ts';
import { answerText, retryAfterHeader, truncate, unsignedRequest } from '../kind.ts';

/**
 * Slack incoming webhooks (https://api.slack.com/messaging/webhooks): `text` (the notification fallback) and Block
 * Kit `blocks`. Slack answers 200 "ok", or a 4xx whose plain-text body names the error.
 */

// Block Kit limits (https://api.slack.com/reference/block-kit/blocks): a message holds 50 blocks; a header 150
// characters; a section's text 3000, its fields 10 of 2000 each; a button's text 75 and url 3000. Slack truncates a
// message's `text` past 40,000 characters (https://api.slack.com/methods/chat.postMessage#truncating).
const LIMITS = { blocks: 50, header: 150, sectionText: 3000, fieldsPerSection: 10, field: 2000, buttonText: 75, url: 3000, text: 40_000 };

const EMOJI: Record<ChatMessage['severity'], string> = { info: 'ℹ️', success: '✅', warning: '⚠️', error: '🚨' };

/** Slack's escaping (&, <, > are control characters in its text) and its mrkdwn: *bold* and <url|label> links. */
function mrkdwn(markdown: string): string {
  const escaped = markdown.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return escaped.replace(/\*\*(.+?)\*\*/g, '*$1*').replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<$2|$1>');
}

function render(message: ChatMessage): Record<string, unknown> {
  const title = `${EMOJI[message.severity]} ${message.title}`;
  const blocks: Record<string, unknown>[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(title, LIMITS.header), emoji: true } }];
  if (message.text.trim() !== '') blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(mrkdwn(message.text), LIMITS.sectionText) } });
  const fieldSections = LIMITS.blocks - blocks.length - (message.link ? 1 : 0);
  const fields = message.fields.slice(0, fieldSections * LIMITS.fieldsPerSection);
  for (let start = 0; start < fields.length; start += LIMITS.fieldsPerSection) {
    const texts = fields.slice(start, start + LIMITS.fieldsPerSection).map(({ name, value }) => ({ type: 'mrkdwn', text: truncate(`*${mrkdwn(name)}*\n${mrkdwn(value)}`, LIMITS.field) }));
    blocks.push({ type: 'section', fields: texts });
  }
  if (message.link) {
    blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: truncate(message.link.label, LIMITS.buttonText) }, url: message.link.url.slice(0, LIMITS.url) }] });
  }
  const text = truncate([title, mrkdwn(message.text)].filter((line) => line.trim() !== '').join('\n'), LIMITS.text);
  return { text, blocks };
}

// The errors a webhook answers (https://api.slack.com/messaging/webhooks#handling_errors and
// https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks). These mean the webhook itself
// is gone or barred (removed/revoked app, deleted or archived channel, a workspace restriction): no message can get
// through until someone fixes it.
const WEBHOOK_GONE = new Set(['no_service', 'no_service_id', 'no_team', 'team_disabled', 'invalid_token', 'channel_not_found', 'channel_is_archived', 'action_prohibited', 'posting_to_general_channel_denied']);

function judge(statusCode: number, headers: Record<string, string | undefined>, body: string): ChatVerdict {
  if (statusCode >= 200 && statusCode < 300) return { ok: true };
  const error = body.trim();
  const reason = `Slack error ${statusCode}: ${answerText(body)}`;
  if (statusCode === 429) return { ok: false, reason, retry: true, disable: false, retryAfterSeconds: retryAfterHeader(headers) ?? 60 };
  if (WEBHOOK_GONE.has(error)) return { ok: false, reason, retry: false, disable: true };
  // invalid_payload, user_not_found, too_many_attachments…: this body is wrong; 5xx (rollup_error) is Slack's trouble.
  return { ok: false, reason, retry: statusCode >= 500, disable: false };
}

export const slack: ChatKind = {
  name: 'slack',
  label: 'Slack',
  // "1 per second, short bursts >1 allowed" for posting messages (https://api.slack.com/docs/rate-limits).
  ratePerMinute: 60,
  render,
  signs: false,
  prepare: (url, body) => unsignedRequest(url, body),
  judge,
};
