import { useState, type FormEvent } from 'react';
import type { EndpointAuthIn, EndpointAuthOut } from '@herald/wire';
import { ApiError, type EndpointRef } from '../api/client';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';
import { ErrorMessage, FormActions } from './common';
import { FormField } from './FormField';

type Method = 'none' | 'basic' | 'oauth2';

const METHODS: [Method, string][] = [
  ['none', 'None'],
  ['basic', 'HTTP basic'],
  ['oauth2', 'OAuth 2.0 client credentials'],
];

/** The places in the body this form shows the API's 422 messages at; any other message goes above the buttons. */
const SHOWN = new Set([
  'basic.username', 'basic.password', 'oauth2.tokenUrl', 'oauth2.clientId', 'oauth2.clientSecret', 'oauth2.scope', 'oauth2.audience',
  'clientCertificate.certificate', 'clientCertificate.privateKey', 'clientCertificate.passphrase', 'clientCertificate.ca',
]);

/** Says a write-only field must be typed again, when the stored one exists (saving replaces it). */
const again = (stored: boolean) => (stored ? 'Type it again: saving replaces the stored one, which is never shown.' : undefined);

/**
 * Sets the endpoint's authentication with PUT, which replaces it whole: what is not given is removed. Secrets are
 * write-only, so a change means typing them again, a stored client certificate included (its key is never shown);
 * unticking the certificate removes it. Non-secret settings start from the stored ones.
 */
export function EndpointAuthForm({ endpoint, stored, onSaved, onCancel }: {
  endpoint: EndpointRef;
  stored: EndpointAuthOut;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const { api } = useSession();
  const [method, setMethod] = useState<Method>(stored.basic ? 'basic' : stored.oauth2 ? 'oauth2' : 'none');
  const [username, setUsername] = useState(stored.basic?.username ?? '');
  const [password, setPassword] = useState('');
  const [tokenUrl, setTokenUrl] = useState(stored.oauth2?.tokenUrl ?? '');
  const [clientId, setClientId] = useState(stored.oauth2?.clientId ?? '');
  const [clientSecret, setClientSecret] = useState('');
  const [scope, setScope] = useState(stored.oauth2?.scope ?? '');
  const [audience, setAudience] = useState(stored.oauth2?.audience ?? '');
  const [clientAuth, setClientAuth] = useState(stored.oauth2?.clientAuth ?? 'basic');
  const [withCertificate, setWithCertificate] = useState(stored.clientCertificate !== null);
  const [certificate, setCertificate] = useState('');
  const [privateKey, setPrivateKey] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [ca, setCa] = useState('');
  const save = useAction(async (body: EndpointAuthIn) => {
    await api.call('PUT /api/v1/app/:app_id/endpoint/:endpoint_id/auth', { params: endpoint, body });
    return true;
  });

  const apiError = save.error instanceof ApiError ? save.error : null;
  const at = (...path: string[]) => apiError?.at(...path) ?? [];
  const otherError = save.error && !(apiError && apiError.fields.length > 0 && apiError.fields.every((f) => SHOWN.has(f.loc.slice(1).join('.'))));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body: EndpointAuthIn = {
      ...(method === 'basic' && { basic: { username: username.trim(), password } }),
      ...(method === 'oauth2' && {
        oauth2: { tokenUrl: tokenUrl.trim(), clientId: clientId.trim(), clientSecret, scope: scope.trim() || null, audience: audience.trim() || null, clientAuth },
      }),
      ...(withCertificate && { clientCertificate: { certificate, privateKey, passphrase: passphrase || null, ca: ca.trim() ? ca : null } }),
    };
    if (await save.run(body)) onSaved();
  }

  const pem = (label: string, value: string, set: (v: string) => void, errors: string[], options: { required: boolean; hint?: string; begin: string }) => (
    <FormField
      label={label}
      hint={options.hint}
      errors={errors}
      control={(p) => (
        <textarea {...p} className="mono" rows={4} spellCheck={false} required={options.required} placeholder={`-----BEGIN ${options.begin}-----`} value={value} onChange={(e) => set(e.target.value)} />
      )}
    />
  );

  return (
    <form className="stack" onSubmit={submit} aria-label="Set authentication">
      <div className="mode-choice" role="radiogroup" aria-label="Method">
        {METHODS.map(([value, label]) => (
          <label key={value} className="check">
            <input type="radio" name="auth-method" value={value} checked={method === value} onChange={() => setMethod(value)} /> {label}
          </label>
        ))}
      </div>
      {method === 'basic' && (
        <div>
          <FormField label="User name" errors={at('basic', 'username')} control={(p) => <input {...p} required autoComplete="off" value={username} onChange={(e) => setUsername(e.target.value)} />} />
          <FormField
            label="Password"
            hint={again(stored.basic !== null)}
            errors={at('basic', 'password')}
            control={(p) => <input {...p} type="password" required autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
          />
        </div>
      )}
      {method === 'oauth2' && (
        <div>
          <FormField
            label="Token URL"
            hint="Herald asks it for an access token (grant_type=client_credentials) and sends it as a bearer token."
            errors={at('oauth2', 'tokenUrl')}
            control={(p) => <input {...p} type="url" required placeholder="https://auth.example.com/oauth/token" value={tokenUrl} onChange={(e) => setTokenUrl(e.target.value)} />}
          />
          <FormField label="Client ID" errors={at('oauth2', 'clientId')} control={(p) => <input {...p} required autoComplete="off" value={clientId} onChange={(e) => setClientId(e.target.value)} />} />
          <FormField
            label="Client secret"
            hint={again(stored.oauth2 !== null)}
            errors={at('oauth2', 'clientSecret')}
            control={(p) => <input {...p} type="password" required autoComplete="new-password" value={clientSecret} onChange={(e) => setClientSecret(e.target.value)} />}
          />
          <FormField label="Scope (optional)" errors={at('oauth2', 'scope')} control={(p) => <input {...p} value={scope} onChange={(e) => setScope(e.target.value)} />} />
          <FormField label="Audience (optional)" errors={at('oauth2', 'audience')} control={(p) => <input {...p} value={audience} onChange={(e) => setAudience(e.target.value)} />} />
          <FormField
            label="Client authentication"
            control={(p) => (
              <select {...p} value={clientAuth} onChange={(e) => setClientAuth(e.target.value as 'basic' | 'body')}>
                <option value="basic">HTTP basic (client_secret_basic)</option>
                <option value="body">In the form (client_secret_post)</option>
              </select>
            )}
          />
        </div>
      )}
      <label className="check">
        <input type="checkbox" checked={withCertificate} onChange={(e) => setWithCertificate(e.target.checked)} /> Client certificate (mutual TLS)
      </label>
      {withCertificate && (
        <div>
          {pem('Certificate (PEM)', certificate, setCertificate, at('clientCertificate', 'certificate'), {
            required: true,
            begin: 'CERTIFICATE',
            hint: stored.clientCertificate
              ? 'The stored certificate and its key are never shown: paste them again to keep them, or untick to remove them.'
              : 'The client certificate, then any intermediates.',
          })}
          {pem('Private key (PEM)', privateKey, setPrivateKey, at('clientCertificate', 'privateKey'), { required: true, begin: 'PRIVATE KEY' })}
          <FormField
            label="Passphrase (optional)"
            hint="For an encrypted private key."
            errors={at('clientCertificate', 'passphrase')}
            control={(p) => <input {...p} type="password" autoComplete="new-password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />}
          />
          {pem('CA certificates (PEM, optional)', ca, setCa, at('clientCertificate', 'ca'), {
            required: false,
            begin: 'CERTIFICATE',
            hint: 'The endpoint’s server certificate must chain to these instead of the public CAs.',
          })}
        </div>
      )}
      {otherError && <ErrorMessage error={save.error} />}
      <FormActions label="Save authentication" busyLabel="Saving…" busy={save.busy} onCancel={onCancel} />
    </form>
  );
}
