import { refusedLiteralTarget, type TargetPolicy } from '../delivery/guard.ts';
import { HeraldError } from '../lib/errors.ts';
import { DESTINATION_TYPES, type DestinationType } from '../store/types.ts';
import { validMqttTopic, validNatsSubject, validTableName } from './publishers/index.ts';

/**
 * Each destination type's `config`: what is required, what the API shows back (never a credential), and the URL its
 * row carries (the address without user info: attempts show it, and it names the transport that delivers it).
 */

/** Svix's types that need a cloud service this server cannot reach; refused by name rather than accepted silently. */
const CLOUD_ONLY = new Set(['azureBlobStorage', 'otelTracing', 'amazonS3', 'googleCloudStorage', 'googleCloudPubSub', 'sqs', 'sns', 'bigQuery', 'clickhouse', 'eventBridge', 'snowflake', 'redshift']);

/** The URL schemes each broker or database type connects with: they also pick the transport (DestinationTransport). */
export const DESTINATION_SCHEMES: Readonly<Record<'rabbitMq' | 'postgres' | 'nats' | 'mqtt' | 'redis', readonly string[]>> = {
  rabbitMq: ['amqp:', 'amqps:'],
  postgres: ['postgres:', 'postgresql:'],
  nats: ['nats:', 'tls:'],
  mqtt: ['mqtt:', 'mqtts:'],
  redis: ['redis:', 'rediss:'],
};

export function checkDestinationType(type: string): DestinationType {
  if ((DESTINATION_TYPES as readonly string[]).includes(type)) return type as DestinationType;
  const known = CLOUD_ONLY.has(type) ? `${type} is a Svix Cloud destination this server cannot deliver to` : `${type} is not a destination type`;
  throw HeraldError.validation(['body', 'type'], `${known}; Herald delivers to ${DESTINATION_TYPES.join(', ')}`, 'destination_type_unsupported');
}

type Config = Record<string, unknown>;

const invalid = (field: string, msg: string) => HeraldError.validation(['body', 'config', field], msg);

function text(config: Config, field: string, { optional = false, max = 2048 } = {}): string | undefined {
  const value = config[field];
  if (value === undefined || value === null) {
    if (optional) return undefined;
    throw invalid(field, 'is required');
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw invalid(field, `must be a non-empty string of at most ${max} characters`);
  return value;
}

/** A broker or database URL of one of the type's schemes, to a host the private-address rules allow. */
function brokerUrl(config: Config, field: string, type: keyof typeof DESTINATION_SCHEMES, targets: TargetPolicy): URL {
  const raw = text(config, field)!;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(field, 'must be an absolute URL');
  }
  const schemes = DESTINATION_SCHEMES[type];
  if (!schemes.includes(url.protocol)) throw invalid(field, `must start with ${schemes.map((s) => `${s}//`).join(' or ')}`);
  const refused = refusedLiteralTarget(url.hostname, targets);
  if (refused) {
    throw invalid(field, `${refused}, and this server refuses private targets: set HERALD_ALLOW_PRIVATE_TARGETS=true (or list the range in HERALD_ALLOW_PRIVATE_CIDRS) to deliver there`);
  }
  return url;
}

/** The URL without its password (and, for a poller, a name of Herald's own): what attempts and listings show. */
function withoutPassword(url: URL): string {
  const shown = new URL(url.href);
  shown.password = '';
  return shown.href;
}

/** Config that reaches the store, and the row's URL. `fifoEndpoint` URL and headers are checked by the caller. */
export interface CheckedDestination {
  config: Config;
  url: string;
}

/**
 * Checks a type's config and keeps only its known fields. Unknown fields are refused so a typo (`routingkey`) is not
 * silently ignored.
 */
export function checkDestinationConfig(type: DestinationType, config: Config, targets: TargetPolicy): CheckedDestination {
  const allowed: Record<DestinationType, readonly string[]> = {
    rabbitMq: ['uri', 'routingKey', 'exchange'],
    postgres: ['url', 'password', 'tableName', 'sslRootCert'],
    fifoEndpoint: ['url', 'headers', 'key'],
    pollingEndpoint: [],
    nats: ['url', 'subject', 'jetStream'],
    mqtt: ['url', 'topic', 'qos', 'username', 'password'],
    redis: ['url', 'stream', 'maxLen'],
  };
  for (const field of Object.keys(config)) if (!allowed[type].includes(field)) throw invalid(field, `is not a setting of a ${type} destination`);
  switch (type) {
    case 'rabbitMq': {
      const uri = brokerUrl(config, 'uri', 'rabbitMq', targets);
      const exchange = text(config, 'exchange', { optional: true, max: 255 });
      return { url: withoutPassword(uri), config: { uri: uri.href, routingKey: text(config, 'routingKey', { max: 255 }), ...(exchange && { exchange }) } };
    }
    case 'postgres': {
      const url = brokerUrl(config, 'url', 'postgres', targets);
      if (url.password) throw invalid('url', 'must not carry the password: give it as config.password, which is kept sealed');
      const tableName = text(config, 'tableName', { max: 200 })!;
      if (!validTableName(tableName)) {
        throw invalid('tableName', 'must be a table name, optionally schema-qualified (public.events): letters, digits, _ and $, no quotes');
      }
      const password = text(config, 'password', { optional: true, max: 1024 });
      const sslRootCert = text(config, 'sslRootCert', { optional: true, max: 65536 });
      return { url: url.href, config: { url: url.href, tableName, ...(password && { password }), ...(sslRootCert && { sslRootCert }) } };
    }
    case 'nats': {
      const url = brokerUrl(config, 'url', 'nats', targets);
      const jetStream = config['jetStream'] ?? false;
      if (typeof jetStream !== 'boolean') throw invalid('jetStream', 'must be true or false');
      return { url: withoutPassword(url), config: { url: url.href, subject: natsSubject(config), jetStream } };
    }
    case 'mqtt': {
      const url = brokerUrl(config, 'url', 'mqtt', targets);
      const qos = config['qos'] ?? 1;
      if (qos !== 1 && qos !== 2) throw invalid('qos', 'must be 1 or 2: a publish counts once the broker acknowledged it');
      const topic = text(config, 'topic', { max: 1024 })!;
      if (!validMqttTopic(topic)) throw invalid('topic', 'must not hold the wildcards + or #');
      const username = text(config, 'username', { optional: true, max: 1024 });
      const password = text(config, 'password', { optional: true, max: 1024 });
      return { url: withoutPassword(url), config: { url: url.href, topic, qos, ...(username && { username }), ...(password && { password }) } };
    }
    case 'redis': {
      const url = brokerUrl(config, 'url', 'redis', targets);
      const maxLen = config['maxLen'];
      if (maxLen !== undefined && maxLen !== null && !(Number.isInteger(maxLen) && (maxLen as number) > 0)) throw invalid('maxLen', 'must be a positive integer');
      return { url: withoutPassword(url), config: { url: url.href, stream: text(config, 'stream', { max: 1024 }), ...(typeof maxLen === 'number' && { maxLen }) } };
    }
    case 'fifoEndpoint': {
      const key = text(config, 'key', { optional: true, max: 256 });
      return { url: text(config, 'url', { max: 65536 })!, config: key ? { key } : {} };
    }
    case 'pollingEndpoint':
      return { url: POLLER_URL, config: {} };
  }
}

/** The URL of a poller's row: nothing is sent to it (fan-out leaves pollers out). */
export const POLLER_URL = 'herald-poller:';

function natsSubject(config: Config): string {
  const subject = text(config, 'subject', { max: 1024 })!;
  if (!validNatsSubject(subject)) {
    throw invalid('subject', 'must be a NATS subject without spaces or wildcards (orders.created)');
  }
  return subject;
}

/** A broker's config as the API shows it: credentials (a password, a URI's) left out. (A fifoEndpoint's is its row's.) */
export function publicConfig(config: Config): Config {
  const { password: _password, ...shown } = config;
  for (const field of ['uri', 'url'] as const) {
    const value = shown[field];
    if (typeof value === 'string') shown[field] = withoutPassword(new URL(value));
  }
  return shown;
}
