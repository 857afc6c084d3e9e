import { useEffect, useState } from 'react';
import { routeTarget, type EndpointTransformationOut } from '@herald/wire';
import type { EndpointRef } from '../api/client';
import { formatTime } from '../lib/format';
import { useSession } from '../lib/session-context';
import { useAction, useApi } from '../lib/useApi';
import { ConfirmButton, ErrorMessage, Notice, Spinner } from './common';
import { FormField } from './FormField';
import { TransformationTry } from './TransformationTry';

/** What the editor holds when the endpoint has no code yet: a handler that changes nothing, saying what it could. */
const STARTER_CODE = `// Runs on every webhook to this endpoint before it is sent; return the webhook, changed.
//   webhook.method   'POST', or 'PUT'
//   webhook.url      the endpoint's URL, or another http(s) URL to send to instead
//   webhook.payload  the message's payload (the JSON body that is sent and signed)
//   webhook.eventType the message's event type (read-only)
// Set webhook.cancel = true to not send this message to this endpoint.
function handler(webhook) {
  return webhook;
}
`;

interface Draft {
  code: string;
  enabled: boolean;
}

const draftOf = (stored: EndpointTransformationOut): Draft => ({ code: stored.code ?? STARTER_CODE, enabled: stored.enabled });

/** The stored state in a word: whether deliveries go through the code now. */
function StateBadge({ stored }: { stored: EndpointTransformationOut }) {
  if (stored.code === null) return <span className="badge badge-muted">No code</span>;
  return stored.enabled ? <span className="badge badge-ok">Enabled</span> : <span className="badge badge-muted">Disabled</span>;
}

/**
 * The endpoint's transformation: JavaScript that reshapes each webhook before it is sent. Code and the enabled
 * switch are saved together (PATCH), so what is enabled is always the code shown; "Try it" runs the code as it is
 * in the editor, saved or not. Tokens that may only read see the stored code and nothing to change or run (the API
 * refuses them both the PATCH and the simulate POST).
 */
export function TransformationEditor({ endpoint, endpointEventTypes, writable }: {
  endpoint: EndpointRef;
  /** The event types the endpoint subscribes to (null: all): "Try it" starts from the first one's example. */
  endpointEventTypes: string[] | null | undefined;
  writable: boolean;
}) {
  const { api } = useSession();
  const path = routeTarget('GET /api/v1/app/:app_id/endpoint/:endpoint_id/transformation', endpoint).path;
  const loaded = useApi(`transformation:${path}`, (signal) => api.call('GET /api/v1/app/:app_id/endpoint/:endpoint_id/transformation', { params: endpoint, signal }));
  const [draft, setDraft] = useState<Draft | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [blankCode, setBlankCode] = useState(false);
  useEffect(() => {
    if (loaded.data) setDraft(draftOf(loaded.data));
  }, [loaded.data]);

  const save = useAction(async (next: Draft) => {
    await api.call('PATCH /api/v1/app/:app_id/endpoint/:endpoint_id/transformation', { params: endpoint, body: { code: next.code, enabled: next.enabled } });
    return true;
  });
  // Turned off as well: with the code gone there is nothing to enable, and a later Save starts from a clear state.
  const remove = useAction(async () => {
    await api.call('PATCH /api/v1/app/:app_id/endpoint/:endpoint_id/transformation', { params: endpoint, body: { code: null, enabled: false } });
    return true;
  });

  if (loaded.error) return <ErrorMessage error={loaded.error} onRetry={loaded.reload} />;
  if (!loaded.data || !draft) return <Spinner />;
  const stored = loaded.data;

  const change = (next: Partial<Draft>) => {
    setNotice(null);
    setBlankCode(false);
    setDraft({ ...draft, ...next });
  };
  const submit = async () => {
    if (!draft.code.trim()) return setBlankCode(true);
    if (await save.run(draft)) {
      setNotice('Transformation saved.');
      loaded.reload();
    }
  };
  const doRemove = async () => {
    if (await remove.run()) {
      // The template at once, not the removed code until the reload answers.
      setDraft(draftOf({ ...stored, code: null, enabled: false }));
      setNotice('Transformation code removed.');
      loaded.reload();
    }
  };
  const unsaved = draft.code !== draftOf(stored).code || draft.enabled !== stored.enabled;

  return (
    <section className="card" aria-label="Transformation">
      <div className="section-head">
        <h3>Transformation</h3>
        <StateBadge stored={stored} />
      </div>
      <p className="muted small">
        JavaScript run on every webhook to this endpoint before it is sent: its <code>handler(webhook)</code> can change
        the payload, the URL or the method, or cancel the delivery.
      </p>
      <p className="muted small" data-testid="transformation-changed">
        {stored.updatedAt ? `Last changed ${formatTime(stored.updatedAt)}` : 'Never set'}
      </p>
      {writable ? (
        <>
          <FormField
            label="Code"
            hint={stored.code === null ? 'No code is saved yet: this starting point returns the webhook unchanged.' : undefined}
            errors={blankCode ? ['Write a handler to save, or remove the code.'] : []}
            control={(p) => (
              <textarea {...p} className="mono" rows={14} spellCheck={false} value={draft.code} onChange={(e) => change({ code: e.target.value })} />
            )}
          />
          <label className="check form-field-check">
            <input type="checkbox" checked={draft.enabled} onChange={(e) => change({ enabled: e.target.checked })} />
            Enabled: deliveries to this endpoint go through this code
          </label>
          <div className="row">
            <button type="button" className="button button-primary" disabled={save.busy} onClick={submit}>
              {save.busy ? 'Saving…' : 'Save transformation'}
            </button>
            {stored.code !== null && <ConfirmButton label="Remove code…" confirmLabel="Remove code" onConfirm={doRemove} busy={remove.busy} danger />}
            {unsaved && <span className="muted small">Unsaved changes</span>}
          </div>
          {notice && <Notice tone="success">{notice}</Notice>}
          {save.error && <ErrorMessage error={save.error} />}
          {remove.error && <ErrorMessage error={remove.error} />}
          <TransformationTry endpoint={endpoint} code={draft.code} endpointEventTypes={endpointEventTypes} />
        </>
      ) : stored.code === null ? (
        <p className="muted">No transformation: webhooks are sent as they are published.</p>
      ) : (
        <pre className="code-block" aria-label="Transformation code">
          {stored.code}
        </pre>
      )}
    </section>
  );
}
