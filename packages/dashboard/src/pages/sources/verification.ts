import type { SourceOut, VerificationIn, VerificationType } from '@herald/wire';

/**
 * A source's verification scheme as form state, and the JSON the API takes for it (the server's VerificationSchema
 * in src/inbound/verification/config.ts is the source of truth: unknown fields are refused there).
 */

export type FieldName =
  | 'secret' | 'password' | 'key' | 'username' | 'header' | 'algorithm' | 'encoding' | 'secretEncoding' | 'prefix' | 'signed'
  | 'timestampHeader' | 'separator' | 'toleranceSeconds' | 'idHeader' | 'eventTypeHeader';

export type VerificationState = { type: VerificationType } & Record<FieldName, string>;

interface Scheme {
  label: string;
  /** The field holding what the API never shows again (masked as "[redacted]" in its answers). */
  secret: 'secret' | 'password' | 'key' | null;
  fields: (s: VerificationState) => FieldName[];
}

const GENERIC: FieldName[] = ['idHeader', 'eventTypeHeader'];
const hmacFields = (s: VerificationState): FieldName[] => [
  'secret', 'secretEncoding', 'header', 'algorithm', 'encoding', 'prefix', 'signed',
  ...(s.signed === 'timestamp.body' ? (['timestampHeader', 'separator', 'toleranceSeconds'] as const) : []),
  ...GENERIC,
];

export const SCHEMES: Record<VerificationType, Scheme> = {
  github: { label: 'GitHub', secret: 'secret', fields: () => ['secret'] },
  gitlab: { label: 'GitLab', secret: 'secret', fields: () => ['secret'] },
  stripe: { label: 'Stripe', secret: 'secret', fields: () => ['secret', 'toleranceSeconds'] },
  shopify: { label: 'Shopify', secret: 'secret', fields: () => ['secret'] },
  slack: { label: 'Slack', secret: 'secret', fields: () => ['secret', 'toleranceSeconds'] },
  'standard-webhooks': { label: 'Standard Webhooks (Svix, Clerk…)', secret: 'secret', fields: () => ['secret', 'toleranceSeconds'] },
  // The form offers each sender's one-secret setup; a bearer token or a timestamp header are set with the CLI or API.
  alertmanager: { label: 'Prometheus Alertmanager (basic auth)', secret: 'password', fields: () => ['username', 'password'] },
  grafana: { label: 'Grafana alerting (HMAC signature)', secret: 'secret', fields: () => ['secret'] },
  hmac: { label: 'Generic HMAC', secret: 'secret', fields: hmacFields },
  'basic-auth': { label: 'Basic auth', secret: 'password', fields: () => ['username', 'password', ...GENERIC] },
  'api-key': { label: 'API key or bearer token', secret: 'key', fields: () => ['header', 'key', ...GENERIC] },
  none: { label: 'None (inspect mode, or behind something that authenticates)', secret: null, fields: () => GENERIC },
};

/** Where a select's value is the API's default, the field is left out of the JSON, as the CLI and docs do. */
const DEFAULTS: Partial<Record<FieldName, string>> = { secretEncoding: 'utf8', signed: 'body' };

const EMPTY: Record<FieldName, string> = {
  secret: '', password: '', key: '', username: '', header: '', algorithm: 'sha256', encoding: 'hex', secretEncoding: 'utf8', prefix: '',
  signed: 'body', timestampHeader: '', separator: '.', toleranceSeconds: '', idHeader: '', eventTypeHeader: '',
};

/** A new source's starting point: GitHub, the most common provider. */
export const newVerification = (): VerificationState => ({ type: 'github', ...EMPTY });

/** A source's scheme as the API shows it (secrets masked), as form state: secret fields start empty. */
export function verificationState(v: SourceOut['verification']): VerificationState {
  const state: VerificationState = { ...EMPTY, type: v.type as VerificationType };
  for (const name of Object.keys(EMPTY) as FieldName[]) {
    const value = v[name];
    if ((typeof value === 'string' || typeof value === 'number') && name !== SCHEMES[state.type].secret) state[name] = String(value);
  }
  return state;
}

/** The JSON the API takes: the scheme's fields, empty optional ones left out (the server then uses its default). */
export function verificationBody(s: VerificationState): VerificationIn {
  const body: VerificationIn = { type: s.type };
  for (const name of SCHEMES[s.type].fields(s)) {
    const value = s[name];
    if (name === 'separator') body[name] = value; // "" is a separator too: timestamp and body run together.
    else if (value === '' || value === DEFAULTS[name]) continue;
    else if (name === 'toleranceSeconds') body[name] = Number(value);
    else body[name] = name === SCHEMES[s.type].secret ? value : value.trim();
  }
  return body;
}

/**
 * What an edit sends as `verification`. The API keeps the stored scheme when the field is absent, but replaces it
 * whole when it is given, and requires the secret then (it never hands the stored one back): so an edit that leaves
 * the secret empty sends nothing when the scheme is unchanged, and cannot change the rest of the scheme.
 */
export function verificationEdit(initial: VerificationState, current: VerificationState):
  { send: VerificationIn } | { keep: true } | { needsSecret: FieldName } {
  const secret = SCHEMES[current.type].secret;
  if (secret && current[secret] !== '') return { send: verificationBody(current) };
  if (JSON.stringify(verificationBody(initial)) === JSON.stringify(verificationBody(current))) return { keep: true };
  return secret ? { needsSecret: secret } : { send: verificationBody(current) };
}
