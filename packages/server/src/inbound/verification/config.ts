import { Type, type Static } from 'typebox';
import { hmacKey, standardWebhooksKey } from './signatures.ts';

/** The replay window of every timestamped scheme unless configured: what Stripe's, Slack's and the Standard Webhooks libraries use. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Where Grafana puts its HMAC signature unless the contact point names another header. */
export const GRAFANA_SIGNATURE_HEADER = 'X-Grafana-Alerting-Signature';

/** What API output shows instead of a secret. Shorter than any secret the schema accepts, so echoing it back is refused. */
export const REDACTED = '[redacted]';

// Unknown properties are refused rather than ignored: a misspelt option (say "tolerance") would otherwise be stored
// and silently have no effect on a security check.
const closed = { additionalProperties: false } as const;

const headerName = (description: string) =>
  Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', description: `${description} Matched case-insensitively.` });
/**
 * A shared secret a person pastes: long enough not to be guessed, and without the leading or trailing whitespace a
 * paste tends to add, which would make every signature mismatch.
 */
const Secret = Type.String({ minLength: 16, maxLength: 512, pattern: '^\\S(.*\\S)?$' });
const Tolerance = Type.Integer({ minimum: 1, maximum: 86_400, description: `Largest accepted difference, either way, between the signed timestamp and now, in seconds (default ${DEFAULT_TOLERANCE_SECONDS}).` });

/** For the schemes whose sender is not a known provider: where to find the sender's delivery id and event type, if it sends them. */
const GenericMetadata = {
  idHeader: Type.Optional(headerName('Header holding the sender’s delivery id, used to drop duplicates.')),
  eventTypeHeader: Type.Optional(headerName('Header holding the event type, used to route.')),
};

const None = Type.Object({ type: Type.Literal('none'), ...GenericMetadata }, closed);

const GitHub = Type.Object({ type: Type.Literal('github'), secret: Secret }, closed);

/** The webhook's Secret token, which GitLab sends as it is in X-Gitlab-Token. */
const GitLab = Type.Object({ type: Type.Literal('gitlab'), secret: Secret }, closed);

const Stripe = Type.Object({
  type: Type.Literal('stripe'),
  // The prefix catches the usual mistake of pasting an API key (sk_…) instead of the endpoint's signing secret.
  secret: Type.String({ maxLength: 256, pattern: '^whsec_[A-Za-z0-9]{16,}$', description: 'The endpoint’s signing secret, whsec_….' }),
  toleranceSeconds: Type.Optional(Tolerance),
}, closed);

const Shopify = Type.Object({ type: Type.Literal('shopify'), secret: Secret }, closed);

const Slack = Type.Object({ type: Type.Literal('slack'), secret: Secret, toleranceSeconds: Type.Optional(Tolerance) }, closed);

const StandardWebhooks = Type.Object({
  type: Type.Literal('standard-webhooks'),
  secret: Type.String({
    pattern: '^(whsec_[A-Za-z0-9+/]{32,88}={0,2}|whpk_[A-Za-z0-9+/]{43}=)$',
    description: 'The symmetric secret (whsec_…) or, for ed25519 (v1a) signatures, the sender’s public key (whpk_…).',
  }),
  toleranceSeconds: Type.Optional(Tolerance),
}, closed);

// A colon would end the user name in the Authorization header (RFC 7617).
const Username = Type.String({ minLength: 1, maxLength: 256, pattern: '^[^:\\x00-\\x1f\\x7f]+$' });

/**
 * How Alertmanager's http_config and Grafana's contact point authenticate: a bearer token
 * ("Authorization: Bearer <token>") or basic auth, one of the two (verificationConfigProblem says which combinations).
 */
const SenderCredentials = {
  token: Type.Optional(Secret),
  username: Type.Optional(Username),
  password: Type.Optional(Secret),
};

/** Prometheus Alertmanager's webhook_config: event types and delivery ids come from the alert group it posts. */
const Alertmanager = Type.Object({ type: Type.Literal('alertmanager'), ...SenderCredentials }, closed);

/** Grafana's webhook contact point: its HMAC signature, its Authorization header or basic auth, or several of them. */
const Grafana = Type.Object({
  type: Type.Literal('grafana'),
  secret: Type.Optional(Secret),
  header: Type.Optional(headerName(`Header carrying the HMAC signature (default ${GRAFANA_SIGNATURE_HEADER}).`)),
  timestampHeader: Type.Optional(headerName('The contact point’s timestamp header, if it has one: the signature then covers timestamp:body.')),
  toleranceSeconds: Type.Optional(Tolerance),
  ...SenderCredentials,
}, closed);

const HmacFields = {
  type: Type.Literal('hmac'),
  secret: Secret,
  secretEncoding: Type.Optional(Type.Union([Type.Literal('utf8'), Type.Literal('base64'), Type.Literal('hex')], { description: 'How the secret turns into the HMAC key (default utf8: its bytes as typed).' })),
  header: headerName('Header carrying the signature.'),
  algorithm: Type.Union([Type.Literal('sha1'), Type.Literal('sha256'), Type.Literal('sha512')]),
  encoding: Type.Union([Type.Literal('hex'), Type.Literal('base64')]),
  prefix: Type.Optional(Type.String({
    minLength: 1, maxLength: 32, pattern: '^[^\\s,]+$',
    description: 'Text before each signature, such as "sha256="; signatures without it are ignored. The header may hold several signatures separated by commas or spaces.',
  })),
  ...GenericMetadata,
};
const HmacOverBody = Type.Object({ ...HmacFields, signed: Type.Optional(Type.Literal('body', { description: 'The HMAC covers the raw body (the default).' })) }, closed);
const HmacOverTimestampAndBody = Type.Object({
  ...HmacFields,
  signed: Type.Literal('timestamp.body', { description: 'The HMAC covers timestamp + separator + raw body; the timestamp (Unix seconds) comes from timestampHeader.' }),
  timestampHeader: headerName('Header carrying the timestamp.'),
  separator: Type.Optional(Type.String({ maxLength: 8, pattern: '^[\\x20-\\x7e]*$', description: 'Between the timestamp and the body (default ".").' })),
  toleranceSeconds: Type.Optional(Tolerance),
}, closed);

const BasicAuth = Type.Object({
  type: Type.Literal('basic-auth'),
  username: Username,
  password: Secret,
  ...GenericMetadata,
}, closed);

const ApiKey = Type.Object({
  type: Type.Literal('api-key'),
  header: headerName('Header carrying the key.'),
  key: Type.String({
    minLength: 16, maxLength: 512, pattern: '^[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?$',
    description: 'The whole expected header value; for "Authorization: Bearer <token>" that is "Bearer <token>".',
  }),
  ...GenericMetadata,
}, closed);

/** How an inbound source proves its requests are genuine, as the API accepts it. */
export const VerificationSchema = Type.Union(
  [None, GitHub, GitLab, Stripe, Shopify, Slack, StandardWebhooks, Alertmanager, Grafana, HmacOverBody, HmacOverTimestampAndBody, BasicAuth, ApiKey],
  { description: 'How requests to the source are verified; the variant is chosen by "type".' },
);

export type Verification = Static<typeof VerificationSchema>;

/**
 * What the schema cannot say about a configuration that passed it: that a secret decodes to a usable key, and which of
 * a sender's optional credentials go together. Null when the configuration is usable; the text (which never contains
 * the secret) suits a 400 response.
 */
export function verificationConfigProblem(v: Verification): string | null {
  switch (v.type) {
    case 'standard-webhooks':
      return standardWebhooksKey(v.secret) ? null : 'secret must be whsec_ with the base64 of a 24–64 byte key, or whpk_ with the base64 of an ed25519 public key';
    case 'hmac': {
      const encoding = v.secretEncoding ?? 'utf8';
      return hmacKey(v.secret, encoding) ? null : `secret is not valid ${encoding}`;
    }
    case 'alertmanager':
      return senderCredentialsProblem(v) ?? (v.token === undefined && v.username === undefined ? 'give token (a bearer token) or username and password' : null);
    case 'grafana':
      return grafanaProblem(v);
    default:
      return null;
  }
}

/** Both senders take one way to authenticate in their HTTP settings, never a bearer token and basic auth together. */
function senderCredentialsProblem(v: { token?: string; username?: string; password?: string }): string | null {
  if (v.token !== undefined && (v.username !== undefined || v.password !== undefined)) return 'give token or username and password, not both';
  if ((v.username === undefined) !== (v.password === undefined)) return 'username and password go together';
  return null;
}

function grafanaProblem(v: Extract<Verification, { type: 'grafana' }>): string | null {
  const signatureOption = (['header', 'timestampHeader', 'toleranceSeconds'] as const).find((name) => v[name] !== undefined);
  if (v.secret === undefined && signatureOption) return `${signatureOption} needs secret (the contact point's HMAC signature secret)`;
  if (v.toleranceSeconds !== undefined && v.timestampHeader === undefined) return 'toleranceSeconds needs timestampHeader: without a timestamp there is nothing to check';
  const credentials = senderCredentialsProblem(v);
  if (credentials) return credentials;
  return v.secret === undefined && v.token === undefined && v.username === undefined ? 'give secret (the HMAC signature secret), token or username and password' : null;
}

const SECRET_FIELDS = new Set(['secret', 'password', 'key', 'token']);

/**
 * The configuration for API output, every secret replaced by REDACTED. Not even a few characters of it are shown:
 * the last four characters of a 16-character key are a quarter of it.
 */
export function redactVerification(v: Verification): { type: Verification['type']; [field: string]: unknown } {
  return { ...Object.fromEntries(Object.entries(v).map(([name, value]) => [name, SECRET_FIELDS.has(name) ? REDACTED : value])), type: v.type };
}
