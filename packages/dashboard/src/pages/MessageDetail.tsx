import { useState } from 'react';
import { routeTarget } from '@herald/wire';
import { Chips, ErrorMessage, Fields, Mono, Spinner } from '../components/common';
import { DeliveryCard } from '../components/DeliveryCard';
import { JsonView } from '../components/JsonView';
import { formatTime } from '../lib/format';
import { href } from '../lib/router';
import { useSession } from '../lib/session-context';
import { useApi } from '../lib/useApi';

const DELIVERIES_PER_PAGE = 10;

/** A message: its payload, and per endpoint it went to, the delivery's state and every attempt. */
export function MessageDetail({ appId, msgId }: { appId: string; msgId: string }) {
  const { api } = useSession();
  const params = { app_id: appId, msg_id: msgId };
  const base = routeTarget('GET /api/v1/app/:app_id/msg/:msg_id', params).path;
  const message = useApi(`msg:${base}`, (signal) => api.call('GET /api/v1/app/:app_id/msg/:msg_id', { params, query: { with_content: true }, signal }));
  // The endpoints a message went to are a list of their own (ascending); this page walks it with local state.
  const [iterator, setIterator] = useState<string | undefined>();
  const [pending, setPending] = useState(false);
  const deliveries = useApi(
    `deliveries:${base}:${iterator ?? ''}`,
    (signal) => api.call('GET /api/v1/app/:app_id/msg/:msg_id/endpoint', { params, query: { limit: DELIVERIES_PER_PAGE, iterator }, signal }),
    // While a delivery is still on its way, its state and attempts are fetched again.
    { pollMs: pending ? 2000 : false, keep: true },
  );
  const anyPending = deliveries.data?.data.some((d) => d.status === 1 || d.status === 3) ?? false;
  if (anyPending !== pending) setPending(anyPending);

  if (message.error) return <ErrorMessage error={message.error} onRetry={message.reload} />;
  if (!message.data) return <Spinner />;
  const m = message.data;

  return (
    <div className="stack">
      <a className="crumb" href={href('apps', appId, 'messages')}>
        ← Messages
      </a>
      <div className="card">
        <div className="page-head">
          <h2>{m.eventType}</h2>
          <Mono>{m.id}</Mono>
        </div>
        <Fields
          rows={[
            ['Event ID', m.eventId ? <Mono>{m.eventId}</Mono> : null],
            ['Sent', formatTime(m.timestamp)],
            ['Deliver at', m.deliverAt ? formatTime(m.deliverAt) : null],
            ['Channels', <Chips items={m.channels} empty="None" />],
            ['Tags', <Chips items={m.tags} empty="None" />],
          ]}
        />
        <h3>Payload</h3>
        <JsonView value={m.payload} label="Payload" />
      </div>

      <h2>Deliveries</h2>
      {deliveries.error && <ErrorMessage error={deliveries.error} onRetry={deliveries.reload} />}
      {!deliveries.data && !deliveries.error && <Spinner />}
      {deliveries.data?.data.length === 0 && !iterator && <p className="muted">No endpoint was subscribed to this message when it was sent.</p>}
      {deliveries.data?.data.map((d) => (
        <DeliveryCard key={d.id} appId={appId} msgId={m.id} delivery={d} onChange={deliveries.reload} />
      ))}
      {deliveries.data && (iterator || !deliveries.data.done) && (
        <nav className="pager">
          <button type="button" className="button button-small" disabled={!iterator} onClick={() => setIterator(undefined)}>
            First
          </button>
          <button type="button" className="button button-small" disabled={deliveries.data.done} onClick={() => setIterator(deliveries.data?.iterator ?? undefined)}>
            More endpoints →
          </button>
        </nav>
      )}
    </div>
  );
}
