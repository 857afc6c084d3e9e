import { useState } from 'react';
import { routeTarget, type EndpointAuthOut } from '@herald/wire';
import type { EndpointRef } from '../api/client';
import { formatTime } from '../lib/format';
import { useSession } from '../lib/session-context';
import { useAction, useApi } from '../lib/useApi';
import { ConfirmButton, ErrorMessage, Fields, Mono, Notice, Spinner } from './common';
import { EndpointAuthForm } from './EndpointAuthForm';

const isSet = (auth: EndpointAuthOut): boolean => auth.basic !== null || auth.oauth2 !== null || auth.clientCertificate !== null;

/**
 * How Herald authenticates itself to the endpoint besides the signature and custom headers: HTTP basic or OAuth 2.0
 * client credentials, and a client certificate. The API shows secrets masked and never the private key; a writer
 * sets a new one (replacing it whole, see EndpointAuthForm) or removes it. Shown only to tokens that may read
 * secrets: the API refuses the global read-only scope even this summary.
 */
export function EndpointAuthPanel({ endpoint, writable }: { endpoint: EndpointRef; writable: boolean }) {
  const { api } = useSession();
  const path = routeTarget('GET /api/v1/app/:app_id/endpoint/:endpoint_id/auth', endpoint).path;
  const loaded = useApi(`auth:${path}`, (signal) => api.call('GET /api/v1/app/:app_id/endpoint/:endpoint_id/auth', { params: endpoint, signal }));
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const remove = useAction(async () => {
    await api.call('DELETE /api/v1/app/:app_id/endpoint/:endpoint_id/auth', { params: endpoint });
    return true;
  });

  if (loaded.error) return <ErrorMessage error={loaded.error} onRetry={loaded.reload} />;
  if (!loaded.data) return <Spinner />;
  const auth = loaded.data;
  const doRemove = async () => {
    setNotice(null);
    if (await remove.run()) {
      setNotice('Authentication removed.');
      loaded.reload();
    }
  };

  return (
    <section className="card" aria-label="Authentication">
      <h3>Authentication</h3>
      <p className="muted small">
        How Herald proves who it is to this endpoint, besides the signature: HTTP basic or OAuth 2.0 client credentials,
        and a client certificate (mutual TLS). Passwords, client secrets and private keys are never shown again.
      </p>
      <AuthSummary auth={auth} />
      {writable && !editing && (
        <div className="row">
          <button type="button" className="button" onClick={() => { setNotice(null); setEditing(true); }}>
            {isSet(auth) ? 'Change…' : 'Set up…'}
          </button>
          {isSet(auth) && <ConfirmButton label="Remove…" confirmLabel="Remove authentication" onConfirm={doRemove} busy={remove.busy} danger />}
        </div>
      )}
      {notice && <Notice tone="success">{notice}</Notice>}
      {remove.error && <ErrorMessage error={remove.error} />}
      {editing && (
        <EndpointAuthForm
          endpoint={endpoint}
          stored={auth}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            setNotice('Authentication saved.');
            loaded.reload();
          }}
        />
      )}
    </section>
  );
}

/** What is set, in words; secrets only as the API masks them. */
function AuthSummary({ auth }: { auth: EndpointAuthOut }) {
  if (!isSet(auth)) return <p data-testid="auth-summary">None: deliveries carry the signature and custom headers only.</p>;
  const { basic, oauth2, clientCertificate: cert } = auth;
  return (
    <div data-testid="auth-summary">
      {basic && (
        <Fields rows={[['Method', 'HTTP basic'], ['User name', <Mono>{basic.username}</Mono>], ['Password', <Mono>{basic.password}</Mono>]]} />
      )}
      {oauth2 && (
        <Fields
          rows={[
            ['Method', 'OAuth 2.0 client credentials'],
            ['Token URL', <Mono>{oauth2.tokenUrl}</Mono>],
            ['Client ID', <Mono>{oauth2.clientId}</Mono>],
            ['Client secret', <Mono>{oauth2.clientSecret}</Mono>],
            ['Scope', oauth2.scope ? <Mono>{oauth2.scope}</Mono> : null],
            ['Audience', oauth2.audience ? <Mono>{oauth2.audience}</Mono> : null],
            ['Client authentication', oauth2.clientAuth === 'basic' ? 'HTTP basic (client_secret_basic)' : 'In the form (client_secret_post)'],
          ]}
        />
      )}
      {cert && (
        <Fields
          rows={[
            ['Client certificate', <Mono>{cert.subject}</Mono>],
            ['Issuer', <Mono>{cert.issuer}</Mono>],
            ['Expires', formatTime(cert.notAfter)],
            ['SHA-256 fingerprint', <Mono>{cert.fingerprint256}</Mono>],
            ['Server certificate', cert.trustsCa ? 'Checked against the endpoint’s own CA' : 'Checked against the public CAs'],
          ]}
        />
      )}
    </div>
  );
}
