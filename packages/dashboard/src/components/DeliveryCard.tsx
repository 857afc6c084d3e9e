import { useEffect, useState } from 'react';
import { routeTarget } from '@herald/wire';
import type { MessageEndpointOut } from '@herald/wire';
import { formatTime } from '../lib/format';
import { href } from '../lib/router';
import { canWrite, useSession } from '../lib/session-context';
import { useAction, useApi } from '../lib/useApi';
import { AttemptTable } from './AttemptTable';
import { ErrorMessage, StatusBadge } from './common';

const ATTEMPTS_SHOWN = 20;
/** How long after a resend the card looks for the new attempt. */
const RESEND_WATCH_MS = 60_000;

/** One endpoint's delivery of a message: its state, its attempts (newest first) and Resend. */
export function DeliveryCard({ appId, msgId, delivery, onChange }: { appId: string; msgId: string; delivery: MessageEndpointOut; onChange: () => void }) {
  const { api, me } = useSession();
  // After a resend: the newest attempt then, until a newer one shows up.
  const [awaiting, setAwaiting] = useState<{ after: string | null; until: number } | null>(null);
  const params = { app_id: appId, msg_id: msgId };
  const path = routeTarget('GET /api/v1/app/:app_id/attempt/msg/:msg_id', params).path;
  const attempts = useApi(
    `attempts:${path}:${delivery.id}:${delivery.status}:${delivery.nextAttempt ?? ''}`,
    (signal) => api.call('GET /api/v1/app/:app_id/attempt/msg/:msg_id', { params, query: { endpoint_id: delivery.id, limit: ATTEMPTS_SHOWN }, signal }),
    { pollMs: awaiting ? 1000 : false, keep: true },
  );
  const newest = attempts.data?.data[0]?.id ?? null;

  useEffect(() => {
    if (!awaiting) return;
    if (newest !== awaiting.after || Date.now() > awaiting.until) {
      setAwaiting(null);
      onChange();
    }
  }, [awaiting, newest, onChange]);

  const resend = useAction(async () => {
    await api.call('POST /api/v1/app/:app_id/msg/:msg_id/endpoint/:endpoint_id/resend', { params: { ...params, endpoint_id: delivery.id }, body: {} });
    return true;
  });
  const doResend = async () => {
    const after = newest;
    if (await resend.run()) {
      setAwaiting({ after, until: Date.now() + RESEND_WATCH_MS });
      onChange();
    }
  };

  return (
    <section className="card delivery" data-testid="delivery" data-endpoint-id={delivery.id}>
      <div className="page-head">
        <div className="grow">
          <a className="mono wrap" href={href('apps', appId, 'endpoints', delivery.id)}>
            {delivery.url}
          </a>
          {delivery.description && <div className="muted small">{delivery.description}</div>}
        </div>
        <StatusBadge status={delivery.status} />
        {delivery.nextAttempt && <span className="muted small">next try {formatTime(delivery.nextAttempt)}</span>}
        {canWrite(me) && (
          <button type="button" className="button" onClick={doResend} disabled={resend.busy || awaiting !== null}>
            {awaiting ? 'Resending…' : 'Resend'}
          </button>
        )}
      </div>
      {resend.error && <ErrorMessage error={resend.error} />}
      {attempts.error && <ErrorMessage error={attempts.error} onRetry={attempts.reload} />}
      {attempts.data && attempts.data.data.length === 0 && <p className="muted small">No attempt yet.</p>}
      {attempts.data && attempts.data.data.length > 0 && (
        <AttemptTable appId={appId} attempts={attempts.data.data} />
      )}
      {attempts.data && !attempts.data.done && (
        <a className="small" href={href('apps', appId, 'attempts', { endpoint: delivery.id })}>
          Older attempts are in the endpoint's attempt list →
        </a>
      )}
    </section>
  );
}
