import type { ChatTemplate } from '../store/types.ts';
import type { ChatMessage } from './kind.ts';

/** What a message's chat wording is made from. */
export interface ChatSubject {
  msgId: string;
  appId: string;
  eventType: string;
  /** The message's payload, parsed. */
  payload: unknown;
}

/** At most this many payload fields are shown by default: a chat message is read at a glance. */
const DEFAULT_FIELDS = 8;
const FIELD_VALUE_MAX = 200;

/** Words in an event type that say how it went, for the colour or emoji the chat tool shows. */
const SEVERITY_WORDS: [ChatMessage['severity'], RegExp][] = [
  ['error', /(fail|error|down|firing|critical|exhausted|disabled|bounced|declined|rejected)/i],
  ['warning', /(warn|degraded|failing|retry|pending|expir)/i],
  ['success', /(succeed|success|resolved|recovered|passed|paid|completed|enabled|up\b)/i],
];

/**
 * A message as a chat message: Herald's default wording (the event type as a title, the payload's top-level values as
 * fields, a link to the message in the dashboard when HERALD_PUBLIC_URL is set), with whatever the endpoint's
 * template says in its place. Template texts take `{{eventType}}`, `{{msgId}}` and `{{payload.a.b}}`.
 */
export function chatMessageOf(subject: ChatSubject, template: ChatTemplate | null, publicUrl: string | undefined): ChatMessage {
  const fill = (text: string) => text.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (_, path: string) => display(valueAt(subject, path)));
  const title = template?.title !== undefined ? fill(template.title) : titleOf(subject.eventType);
  const fields = template?.fields !== undefined
    ? template.fields.map((path) => ({ name: path.replace(/^payload\./, ''), value: display(valueAt(subject, path.startsWith('payload.') ? path : `payload.${path}`)) }))
    : defaultFields(subject.payload);
  return {
    title,
    text: template?.text !== undefined ? fill(template.text) : '',
    fields,
    link: publicUrl ? { label: 'Open in Herald', url: `${publicUrl.replace(/\/$/, '')}/ui/#/apps/${subject.appId}/messages/${subject.msgId}` } : null,
    severity: template?.severity ?? severityOf(subject.eventType),
  };
}

/** "invoice.payment_failed" → "Invoice payment failed". */
export function titleOf(eventType: string): string {
  const words = eventType.replace(/[._:/-]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function severityOf(eventType: string): ChatMessage['severity'] {
  return SEVERITY_WORDS.find(([, words]) => words.test(eventType))?.[0] ?? 'info';
}

/**
 * The payload's scalar values, top level first and then one object down (`data.endpointId` of an operational event),
 * at most DEFAULT_FIELDS of them; deeper structure is left to a template.
 */
function defaultFields(payload: unknown): ChatMessage['fields'] {
  if (!isRecord(payload)) return [];
  const scalars = (object: Record<string, unknown>, prefix: string) =>
    Object.entries(object).filter(([, value]) => value !== null && typeof value !== 'object').map(([name, value]) => ({ name: prefix + name, value: display(value) }));
  const nested = Object.entries(payload).flatMap(([name, value]) => (isRecord(value) ? scalars(value, `${name}.`) : []));
  return [...scalars(payload, ''), ...nested].slice(0, DEFAULT_FIELDS);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function valueAt(subject: ChatSubject, path: string): unknown {
  let value: unknown = { eventType: subject.eventType, msgId: subject.msgId, payload: subject.payload };
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function display(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > FIELD_VALUE_MAX ? `${text.slice(0, FIELD_VALUE_MAX - 1)}…` : text;
}
