import { useState } from 'react';
import type { MessageOut } from '@herald/wire';
import type { EndpointRef } from '../api/client';
import { href } from '../lib/router';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';
import { ErrorMessage, Notice } from './common';

/**
 * The quickest end-to-end check of an endpoint: a real message of Herald's own event type (herald.test) to this
 * endpoint alone, needing nothing from the catalogue. A chat endpoint shows it in its channel; the message's page
 * shows how the attempt went. The API refuses it (409) while the endpoint is disabled, so the button says so first.
 */
export function SendTestMessage({ appId, endpoint, disabled }: { appId: string; endpoint: EndpointRef; disabled: boolean }) {
  const { api } = useSession();
  const send = useAction(() => api.call('POST /api/v1/app/:app_id/endpoint/:endpoint_id/send-test', { params: endpoint }));
  const [sent, setSent] = useState<MessageOut | null>(null);

  const run = async () => {
    setSent(null);
    const message = await send.run();
    if (message) setSent(message);
  };

  return (
    <section className="card" aria-label="Send a test message">
      <h3>Send a test message</h3>
      <p className="muted small">
        Sends one message of event type <code>herald.test</code> to this endpoint only, retried and logged like any: a
        chat endpoint shows it in its channel.
      </p>
      <div className="row">
        <button type="button" className="button button-primary" disabled={send.busy || disabled} onClick={run}>
          {send.busy ? 'Sending…' : 'Send a test message'}
        </button>
        {disabled && <span className="muted small">The endpoint is disabled: enable it to send it a test message.</span>}
      </div>
      {send.error && <ErrorMessage error={send.error} />}
      {sent && (
        <Notice tone="success">
          <span data-testid="test-message-sent">
            Sent as message <a href={href('apps', appId, 'messages', sent.id)}>{sent.id}</a>: its attempt shows there in a moment.
          </span>
        </Notice>
      )}
    </section>
  );
}
