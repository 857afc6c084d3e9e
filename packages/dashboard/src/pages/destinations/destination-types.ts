import { parseJsonObject } from '../../lib/json-input';

/**
 * The destination types Herald delivers to and each one's `config`, as form fields and as the API takes and shows
 * them (the server's destinations/config.ts is the source of truth: it refuses unknown fields and checks each one).
 * The API never shows a password, and shows a URI without the one it carries.
 */

export const DESTINATION_TYPES = ['rabbitMq', 'postgres', 'fifoEndpoint', 'pollingEndpoint', 'nats', 'mqtt', 'redis'] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];
export type Config = Record<string, unknown>;

/**
 * text: a trimmed string; secret: write-only, as typed; pem: PEM text; headers: a JSON object of header values;
 * flag: a checkbox; qos: MQTT's 1 or 2; count: a positive integer.
 */
type FieldKind = 'text' | 'secret' | 'pem' | 'headers' | 'flag' | 'qos' | 'count';

export interface ConfigField {
  name: string;
  label: string;
  kind: FieldKind;
  required?: boolean;
  placeholder?: string;
  hint?: string;
}

interface TypeSpec {
  label: string;
  about: string;
  fields: ConfigField[];
  /** Where messages go, from the config the API shows: the address, and what within it. */
  target: (c: Config) => { address: string | null; into: string };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const URI_HINT = 'A password in it is kept sealed and never shown again: type the URI again, password included, to change it.';

export const TYPES: Record<DestinationType, TypeSpec> = {
  rabbitMq: {
    label: 'RabbitMQ',
    about: 'Publishes each message to an exchange with a routing key.',
    fields: [
      { name: 'uri', label: 'URI', kind: 'text', required: true, placeholder: 'amqps://user:password@rabbit.example.com/vhost', hint: URI_HINT },
      { name: 'routingKey', label: 'Routing key', kind: 'text', required: true, placeholder: 'webhooks.invoice' },
      { name: 'exchange', label: 'Exchange (optional)', kind: 'text', placeholder: 'Empty: the default exchange' },
    ],
    target: (c) => ({ address: str(c['uri']), into: `routing key ${str(c['routingKey'])}${c['exchange'] ? ` on exchange ${str(c['exchange'])}` : ''}` }),
  },
  postgres: {
    label: 'PostgreSQL',
    about: 'Inserts each message as a row of a table.',
    fields: [
      { name: 'url', label: 'URL', kind: 'text', required: true, placeholder: 'postgres://herald@db.example.com:5432/events', hint: 'Without the password: give it below.' },
      { name: 'password', label: 'Password', kind: 'secret' },
      { name: 'tableName', label: 'Table', kind: 'text', required: true, placeholder: 'public.webhook_events' },
      { name: 'sslRootCert', label: 'TLS root certificate (PEM, optional)', kind: 'pem', hint: 'The CA the database server’s certificate must chain to.' },
    ],
    target: (c) => ({ address: str(c['url']), into: `table ${str(c['tableName'])}` }),
  },
  fifoEndpoint: {
    label: 'FIFO endpoint',
    about: 'An HTTP endpoint that gets messages strictly in order, in batches, each after the one before succeeded.',
    fields: [
      { name: 'url', label: 'URL', kind: 'text', required: true, placeholder: 'https://example.com/webhooks/ordered' },
      { name: 'headers', label: 'Headers (JSON, optional)', kind: 'headers', placeholder: '{"X-Tenant": "acme"}', hint: 'Sent with every batch. Values of credentials are never shown again.' },
      { name: 'key', label: 'Key (optional)', kind: 'text' },
    ],
    target: (c) => ({ address: str(c['url']), into: 'in order' }),
  },
  pollingEndpoint: {
    label: 'Poller',
    about: 'Nothing is sent: a consumer that cannot expose a URL reads the messages with an iterator.',
    fields: [],
    target: () => ({ address: null, into: 'read by its consumers' }),
  },
  nats: {
    label: 'NATS',
    about: 'Publishes each message on a subject.',
    fields: [
      { name: 'url', label: 'URL', kind: 'text', required: true, placeholder: 'nats://user:password@nats.example.com:4222', hint: URI_HINT },
      { name: 'subject', label: 'Subject', kind: 'text', required: true, placeholder: 'webhooks.invoice' },
      { name: 'jetStream', label: 'Publish through JetStream (acknowledged by a stream)', kind: 'flag' },
    ],
    target: (c) => ({ address: str(c['url']), into: `subject ${str(c['subject'])}${c['jetStream'] ? ' (JetStream)' : ''}` }),
  },
  mqtt: {
    label: 'MQTT',
    about: 'Publishes each message on a topic.',
    fields: [
      { name: 'url', label: 'URL', kind: 'text', required: true, placeholder: 'mqtts://broker.example.com:8883', hint: URI_HINT },
      { name: 'topic', label: 'Topic', kind: 'text', required: true, placeholder: 'webhooks/invoice' },
      { name: 'qos', label: 'QoS', kind: 'qos' },
      { name: 'username', label: 'User name (optional)', kind: 'text' },
      { name: 'password', label: 'Password', kind: 'secret' },
    ],
    target: (c) => ({ address: str(c['url']), into: `topic ${str(c['topic'])}, QoS ${str(c['qos'] ?? 1)}` }),
  },
  redis: {
    label: 'Redis stream',
    about: 'Adds each message to a stream (XADD).',
    fields: [
      { name: 'url', label: 'URL', kind: 'text', required: true, placeholder: 'rediss://:password@redis.example.com:6380/0', hint: URI_HINT },
      { name: 'stream', label: 'Stream', kind: 'text', required: true, placeholder: 'webhooks' },
      { name: 'maxLen', label: 'Max length (optional)', kind: 'count', placeholder: 'Unbounded', hint: 'Trims the stream to about this many entries.' },
    ],
    target: (c) => ({ address: str(c['url']), into: `stream ${str(c['stream'])}${c['maxLen'] ? `, about ${str(c['maxLen'])} entries kept` : ''}` }),
  },
};

export const isKnownType = (type: string): type is DestinationType => (DESTINATION_TYPES as readonly string[]).includes(type);

const UNKNOWN: TypeSpec = { label: '', about: '', fields: [], target: () => ({ address: null, into: '' }) };

/** A type's spec; one this dashboard does not know (a newer server's) is shown by its name with its raw config. */
export const specOf = (type: string): TypeSpec => (isKnownType(type) ? TYPES[type] : { ...UNKNOWN, label: type });

/** A fifoEndpoint's headers as the API shows them: the plain ones, and the names of those holding credentials. */
export interface ShownHeaders {
  headers: Record<string, string>;
  sensitive: string[];
}

export const shownHeaders = (v: unknown): ShownHeaders => {
  const h = (v ?? {}) as Partial<ShownHeaders>;
  return { headers: h.headers ?? {}, sensitive: h.sensitive ?? [] };
};

/** The config fields as form text: write-only ones start empty. */
export type ConfigState = Record<string, string>;

export function configState(type: DestinationType, config: Config = {}): ConfigState {
  const state: ConfigState = {};
  for (const f of TYPES[type].fields) {
    const value = config[f.name];
    if (f.kind === 'secret') state[f.name] = '';
    else if (f.kind === 'headers') {
      const { headers } = shownHeaders(value);
      state[f.name] = Object.keys(headers).length > 0 ? JSON.stringify(headers, null, 2) : '';
    } else if (f.kind === 'flag') state[f.name] = String(value === true);
    else if (f.kind === 'qos') state[f.name] = str(value ?? 1);
    else state[f.name] = str(value);
  }
  return state;
}

/** What is wrong with the fields as typed, by field name (the API checks the rest). */
export function configProblems(type: DestinationType, state: ConfigState): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const f of TYPES[type].fields) {
    if (f.kind !== 'headers') continue;
    const parsed = parseJsonObject(state[f.name] ?? '', 'a JSON object of header names to values');
    if ('error' in parsed) problems[f.name] = parsed.error;
    else if (parsed.value && Object.values(parsed.value).some((v) => typeof v !== 'string')) problems[f.name] = 'must have string values';
  }
  return problems;
}

/** One field's value as the API takes it; undefined when it is empty (left out). */
function valueOf(f: ConfigField, text: string): unknown {
  if (f.kind === 'flag') return text === 'true';
  if (f.kind === 'qos') return Number(text);
  if (f.kind === 'secret' || f.kind === 'pem') return text === '' ? undefined : text;
  if (!text.trim()) return undefined;
  if (f.kind === 'count') return Number(text);
  if (f.kind === 'headers') return JSON.parse(text) as unknown;
  return text.trim();
}

/** A new destination's config: the fields that are filled in. */
export function configBody(type: DestinationType, state: ConfigState): Config {
  const body: Config = {};
  for (const f of TYPES[type].fields) {
    const value = valueOf(f, state[f.name] ?? '');
    if (value !== undefined) body[f.name] = value;
  }
  return body;
}

/**
 * What an edit sends as `config`, which the API merges over the stored one: only the fields changed, so a URI shown
 * without its password is not sent back without it. A field emptied is sent as null (removed); an empty password
 * is left out (kept).
 */
export function configPatch(type: DestinationType, initial: ConfigState, current: ConfigState): Config {
  const patch: Config = {};
  for (const f of TYPES[type].fields) {
    const text = current[f.name] ?? '';
    if (text === (initial[f.name] ?? '')) continue;
    const value = valueOf(f, text);
    if (value !== undefined) patch[f.name] = value;
    else if (f.kind !== 'secret') patch[f.name] = null;
  }
  return patch;
}
