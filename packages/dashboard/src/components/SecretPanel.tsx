import { useState } from 'react';
import type { EndpointRef } from '../api/client';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';
import { ConfirmButton, CopyButton, ErrorMessage, Notice } from './common';

/** The endpoint's signing secret: hidden until asked for, and rotated after a second click. */
export function SecretPanel({ endpoint, canRotate }: { endpoint: EndpointRef; canRotate: boolean }) {
  const { api } = useSession();
  const [secret, setSecret] = useState<string | undefined>();
  const [rotated, setRotated] = useState(false);
  const reveal = useAction(() => api.call('GET /api/v1/app/:app_id/endpoint/:endpoint_id/secret', { params: endpoint }));
  const rotate = useAction(async () => {
    await api.call('POST /api/v1/app/:app_id/endpoint/:endpoint_id/secret/rotate', { params: endpoint, body: {} });
    return true;
  });

  const show = async () => {
    const r = await reveal.run();
    if (r) setSecret(r.key);
  };
  const doRotate = async () => {
    setRotated(false);
    if (!(await rotate.run())) return;
    setRotated(true);
    if (secret !== undefined) await show();
  };

  return (
    <section className="card">
      <h3>Signing secret</h3>
      <p className="muted small">
        Receivers verify each webhook's <code>webhook-signature</code> header with this secret.
      </p>
      <div className="row">
        <code className="secret mono grow" data-testid="endpoint-secret">
          {secret ?? '••••••••••••••••••••••••••••••••'}
        </code>
        {secret === undefined ? (
          <button type="button" className="button" onClick={show} disabled={reveal.busy}>
            Reveal
          </button>
        ) : (
          <>
            <CopyButton text={secret} small={false} />
            <button type="button" className="button" onClick={() => setSecret(undefined)}>
              Hide
            </button>
          </>
        )}
        {canRotate && (
          <ConfirmButton label="Rotate…" confirmLabel="Rotate now" onConfirm={doRotate} busy={rotate.busy} danger />
        )}
      </div>
      {rotated && <Notice tone="success">Secret rotated. The previous one keeps signing alongside it for 24 hours.</Notice>}
      {reveal.error && <ErrorMessage error={reveal.error} />}
      {rotate.error && <ErrorMessage error={rotate.error} />}
    </section>
  );
}
