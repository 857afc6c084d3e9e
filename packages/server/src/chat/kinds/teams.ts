import type { ChatKind, ChatMessage, ChatVerdict } from '../kind.ts';
import { answerText, fitMessage, jsonBytes, jsonObject, retryAfterHeader, truncate, unsignedRequest } from '../kind.ts';

/**
 * Microsoft Teams workflow webhooks: a Power Automate flow started by "When a Teams webhook request is received"
 * (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using), which
 * takes `{type: "message", attachments: [{contentType: "application/vnd.microsoft.card.adaptive", content: card}]}`
 * and posts the Adaptive Card. The trigger answers 202 Accepted once the flow has started: a card the flow then fails
 * to post is only visible in the flow's run history, never in this answer.
 */

// "When an action posts a message, the message size limit is approximately 28 KB" (https://learn.microsoft.com/en-us/connectors/teams/).
const MAX_BYTES = 28_000;
const MAX_TITLE = 256;
const MAX_FACTS = 30;
const MAX_FACT = 1000;

// TextBlock colours (https://adaptivecards.io/explorer/TextBlock.html).
const COLOR: Record<ChatMessage['severity'], string> = { info: 'Accent', success: 'Good', warning: 'Warning', error: 'Attention' };

function card(message: ChatMessage): Record<string, unknown> {
  const body: Record<string, unknown>[] = [{ type: 'TextBlock', text: message.title, size: 'Medium', weight: 'Bolder', color: COLOR[message.severity], wrap: true }];
  if (message.text.trim() !== '') body.push({ type: 'TextBlock', text: message.text, wrap: true });
  if (message.fields.length > 0) body.push({ type: 'FactSet', facts: message.fields.map(({ name, value }) => ({ title: name, value })) });
  const content: Record<string, unknown> = { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body };
  if (message.link) content.actions = [{ type: 'Action.OpenUrl', title: message.link.label, url: message.link.url }];
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }] };
}

function render(message: ChatMessage): Record<string, unknown> {
  const bounded: ChatMessage = {
    ...message,
    title: truncate(message.title, MAX_TITLE),
    fields: message.fields.slice(0, MAX_FACTS).map(({ name, value }) => ({ name: truncate(name, MAX_FACT), value: truncate(value, MAX_FACT) })),
  };
  return card(fitMessage(bounded, (candidate) => jsonBytes(card(candidate)), MAX_BYTES));
}

// The flow's trigger answers as Logic Apps do, `{error: {code, message}}`. These codes mean the URL cannot start the
// flow until someone acts: the flow was turned off or deleted, or the URL's `sig` was changed or cut short.
const FLOW_UNREACHABLE = new Set(['WorkflowTriggerIsNotEnabled', 'WorkflowNotFound', 'DirectApiAuthorizationRequired', 'DirectApiInvalidAuthorizationSignature']);

function judge(statusCode: number, headers: Record<string, string | undefined>, body: string): ChatVerdict {
  if (statusCode >= 200 && statusCode < 300) return { ok: true };
  const error = jsonObject(body)?.error;
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : null;
  const message = typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' ? error.message : answerText(body);
  const reason = code ? `Teams error ${statusCode} ${code}: ${truncate(message, 300)}` : `Teams error ${statusCode}: ${answerText(body)}`;
  if (statusCode === 429) return { ok: false, reason, retry: true, disable: false, retryAfterSeconds: retryAfterHeader(headers) ?? 60 };
  if (code && FLOW_UNREACHABLE.has(code)) return { ok: false, reason, retry: false, disable: true };
  // TriggerInputSchemaMismatch, InvalidRequestContent…: this body is wrong; 5xx is the service's trouble.
  return { ok: false, reason, retry: statusCode >= 500, disable: false };
}

export const teams: ChatKind = {
  name: 'teams',
  label: 'Microsoft Teams',
  // No limit is published for a workflow webhook. The incoming webhooks it replaces were throttled past four requests
  // a second (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook),
  // and each request here starts a flow run that posts as the flow bot: one a second, as for Slack, stays well inside
  // both and reads as a chat, not a flood.
  ratePerMinute: 60,
  render,
  signs: false,
  prepare: (url, body) => unsignedRequest(url, body),
  judge,
};
