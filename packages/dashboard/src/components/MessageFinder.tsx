import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { href, navigate } from '../lib/router';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';

/**
 * Straight to one message by its id or by the event id the sender gave it (the API takes either), the way a support
 * question arrives: "we never got evt_123". Nothing is listed: one lookup, then its page.
 */
export function MessageFinder({ appId }: { appId: string }) {
  const { api } = useSession();
  const [ref, setRef] = useState('');
  const [missing, setMissing] = useState<string | null>(null);
  const find = useAction((value: string) => api.call('GET /api/v1/app/:app_id/msg/:msg_id', { params: { app_id: appId, msg_id: value }, query: { with_content: false } }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const value = ref.trim();
    if (!value) return;
    setMissing(null);
    const message = await find.run(value);
    if (message) navigate(href('apps', appId, 'messages', message.id));
    else setMissing(value);
  }

  const notFound = find.error instanceof ApiError && find.error.notFound;
  return (
    <form className="filter" role="search" aria-label="Find a message" onSubmit={submit}>
      <input
        className="input-medium mono"
        aria-label="Message ID or event ID"
        placeholder="msg_… or your event ID"
        value={ref}
        onChange={(e) => setRef(e.target.value)}
      />
      <button type="submit" className="button button-small" disabled={find.busy}>
        Find
      </button>
      {missing !== null && find.error && (
        <span className="field-error" role="alert">
          {notFound ? `No message ${missing} in this application.` : find.error.message}
        </span>
      )}
    </form>
  );
}
