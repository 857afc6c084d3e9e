import { useState, type FormEvent } from 'react';
import type { MessageOut } from '@herald/wire';
import type { EndpointRef } from '../api/client';
import { examplesOf, useExampleCatalogue } from '../lib/event-examples';
import { href } from '../lib/router';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';
import { ErrorMessage, Notice } from './common';
import { JsonView } from './JsonView';

/**
 * Test an endpoint: send it one event type's example payload (from the catalogue), as a real signed message to this
 * endpoint alone, then follow it to its attempts. The way a portal user checks that their receiver works.
 */
export function SendExample({ appId, endpoint, disabled }: { appId: string; endpoint: EndpointRef; disabled: boolean }) {
  const { api } = useSession();
  const catalogue = useExampleCatalogue();
  const types = (catalogue.data?.data ?? []).filter((t) => examplesOf(t).length > 0);
  const [chosen, setChosen] = useState('');
  const type = types.find((t) => t.name === chosen) ?? types[0];
  const send = useAction((eventType: string) => api.call('POST /api/v1/app/:app_id/endpoint/:endpoint_id/send-example', { params: endpoint, body: { eventType } }));
  const [sent, setSent] = useState<MessageOut | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!type) return;
    setSent(null);
    const message = await send.run(type.name);
    if (message) setSent(message);
  }

  return (
    <section className="card" aria-label="Send an example">
      <h3>Send an example</h3>
      <p className="muted small">
        Sends an event type's example payload to this endpoint only, signed like any webhook, and logged with its attempts.
      </p>
      {catalogue.error && <ErrorMessage error={catalogue.error} onRetry={catalogue.reload} />}
      {catalogue.data && types.length === 0 && (
        <p className="muted">No event type in the catalogue has an example yet (an <code>examples</code> entry in its schema).</p>
      )}
      {type && (
        <form className="stack" onSubmit={submit}>
          <div className="filter">
            <select aria-label="Event type to send" value={type.name} onChange={(e) => setChosen(e.target.value)}>
              {types.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.name}
                </option>
              ))}
            </select>
            <button type="submit" className="button button-primary" disabled={send.busy || disabled}>
              {send.busy ? 'Sending…' : 'Send example'}
            </button>
            {disabled && <span className="muted small">Enable the endpoint to send it an example.</span>}
          </div>
          <JsonView value={examplesOf(type)[0]} label="Example payload" />
        </form>
      )}
      {send.error && <ErrorMessage error={send.error} />}
      {sent && (
        <Notice tone="success">
          <span data-testid="example-sent">
            Sent as message <a href={href('apps', appId, 'messages', sent.id)}>{sent.id}</a>: its attempt shows there in a moment.
          </span>
        </Notice>
      )}
    </section>
  );
}
