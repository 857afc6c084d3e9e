import type { ApiError } from '../../api/client';
import type { VerificationType } from '@herald/wire';
import { FormField } from '../../components/FormField';
import { SCHEMES, type FieldName, type VerificationState } from './verification';

interface FieldSpec {
  label: string | ((type: VerificationType) => string);
  options?: [string, string][];
  placeholder?: string;
  hint?: string | ((type: VerificationType) => string);
  /** The API refuses the scheme without it (selects always have a value). */
  required?: boolean;
}

const SECRET_HINTS: Partial<Record<VerificationType, string>> = {
  github: 'The webhook’s secret. Herald checks X-Hub-Signature-256 (sha256=…).',
  stripe: 'The endpoint’s signing secret, whsec_… (not an sk_… API key). Herald checks Stripe-Signature.',
  shopify: 'The app’s client secret, or the key shown with webhooks created in the store admin. Herald checks X-Shopify-Hmac-Sha256.',
  slack: 'The app’s signing secret. Herald checks X-Slack-Signature and X-Slack-Request-Timestamp.',
  'standard-webhooks': 'whsec_…, or for ed25519 (v1a) signatures the sender’s public key whpk_…. Herald checks webhook-signature (or svix-signature).',
  hmac: 'The shared secret, at least 16 characters.',
  gitlab: 'The webhook’s Secret token. Herald compares X-Gitlab-Token with it.',
  grafana: 'The contact point’s HMAC signature secret. Herald checks X-Grafana-Alerting-Signature.',
};

const FIELDS: Record<FieldName, FieldSpec> = {
  secret: { label: 'Secret', hint: (t) => SECRET_HINTS[t] ?? '' },
  password: { label: 'Password', hint: 'At least 16 characters.' },
  key: { label: 'Key', hint: 'The whole expected header value: for “Authorization: Bearer <token>” that is “Bearer <token>”.' },
  username: { label: 'User name', required: true },
  header: { label: (t) => (t === 'api-key' ? 'Key header' : 'Signature header'), placeholder: 'X-Signature', required: true },
  algorithm: { label: 'Algorithm', options: [['sha256', 'SHA-256'], ['sha512', 'SHA-512'], ['sha1', 'SHA-1']] },
  encoding: { label: 'Signature encoding', options: [['hex', 'Hex'], ['base64', 'Base64']] },
  secretEncoding: {
    label: 'Secret encoding',
    options: [['utf8', 'UTF-8 (its bytes as typed)'], ['base64', 'Base64'], ['hex', 'Hex']],
    hint: 'How the secret turns into the HMAC key.',
  },
  prefix: { label: 'Signature prefix', placeholder: 'sha256=', hint: 'Text before each signature; signatures without it are ignored. Empty: none.' },
  signed: { label: 'What is signed', options: [['body', 'The raw body'], ['timestamp.body', 'A timestamp, a separator, then the raw body']] },
  timestampHeader: { label: 'Timestamp header', placeholder: 'X-Timestamp', hint: 'Unix seconds.', required: true },
  separator: { label: 'Separator', hint: 'Between the timestamp and the body; may be empty.' },
  toleranceSeconds: { label: 'Tolerance (seconds)', placeholder: '300', hint: 'Largest accepted difference, either way, between the signed timestamp and now (default 300).' },
  idHeader: { label: 'Delivery ID header (optional)', placeholder: 'X-Delivery-Id', hint: 'The sender’s delivery id: requests repeating an accepted one are dropped.' },
  eventTypeHeader: { label: 'Event type header (optional)', placeholder: 'X-Event-Type', hint: 'The event type, which destinations can subscribe to.' },
};

const forType = <V,>(v: V | ((t: VerificationType) => V), t: VerificationType): V =>
  typeof v === 'function' ? (v as (t: VerificationType) => V)(t) : v;

/**
 * The scheme picker and the chosen scheme's fields. Secret fields are write-only: on an edit they start empty (the
 * stored secret of `storedType` is kept unless one is typed), and `secretNote` says why one must be typed again.
 */
export function VerificationFields({ value, onChange, storedType, error, secretNote }: {
  value: VerificationState;
  onChange: (v: VerificationState) => void;
  /** The scheme the source has (null: a new source). */
  storedType: VerificationType | null;
  error: ApiError | null;
  secretNote: string | null;
}) {
  const scheme = SCHEMES[value.type];
  const fields = scheme.fields(value);
  const set = (name: FieldName, v: string) => onChange({ ...value, [name]: v });
  // What the API says about the scheme as a whole, or about a field this form does not show.
  const general = (error?.fields ?? [])
    .filter((f) => f.loc[1] === 'verification' && !fields.includes(f.loc[2] as FieldName))
    .map((f) => (f.loc.length > 2 ? `${f.loc.slice(2).join('.')}: ${f.msg}` : f.msg));

  return (
    <fieldset className="form-group">
      <legend>Verification</legend>
      <FormField
        label="Scheme"
        hint={value.type === 'none' ? 'Nothing is checked: anyone who knows the URL can post to it.' : undefined}
        errors={general}
        control={(props) => (
          <select {...props} name="verification" value={value.type} onChange={(e) => onChange({ ...value, type: e.target.value as VerificationType })}>
            {(Object.keys(SCHEMES) as VerificationType[]).map((t) => (
              <option key={t} value={t}>
                {SCHEMES[t].label}
              </option>
            ))}
          </select>
        )}
      />
      {fields.map((name) => {
        const spec = FIELDS[name];
        const isSecret = name === scheme.secret;
        return (
          <FormField
            key={name}
            label={forType(spec.label, value.type)}
            hint={forType(spec.hint, value.type) || undefined}
            errors={[...(error?.at('verification', name) ?? []), ...(isSecret && secretNote ? [secretNote] : [])]}
            control={(props) =>
              spec.options ? (
                <select {...props} name={name} value={value[name]} onChange={(e) => set(name, e.target.value)}>
                  {spec.options.map(([v, label]) => (
                    <option key={v} value={v}>
                      {label}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  {...props}
                  name={name}
                  className={isSecret ? 'mono' : undefined}
                  type={isSecret ? 'password' : name === 'toleranceSeconds' ? 'number' : 'text'}
                  // Stops the browser offering to save a provider's secret as this site's password.
                  autoComplete={isSecret ? 'new-password' : 'off'}
                  // On an edit, an empty secret is refused by secretNote, with the reason, rather than by the browser.
                  required={isSecret ? storedType === null : spec.required}
                  placeholder={isSecret && value.type === storedType ? 'Unchanged: type a new one to replace it' : spec.placeholder}
                  value={value[name]}
                  onChange={(e) => set(name, e.target.value)}
                />
              )
            }
          />
        );
      })}
    </fieldset>
  );
}
