import { PagedTable } from '../components/PagedTable';
import type { DeliveryTallyOut } from '@herald/wire';
import { Chips, Mono } from '../components/common';
import { MessageFinder } from '../components/MessageFinder';
import { describeFilters, MessageFilters, messageFilters } from '../components/MessageFilters';
import { formatTime, relativeTime } from '../lib/format';
import { href, type Route } from '../lib/router';
import { usePage } from '../lib/usePage';

/** Newest first; the first page refreshes itself, so new messages appear at the top. */
export function MessageList({ appId, route }: { appId: string; route: Route }) {
  const filters = messageFilters(route);
  // Empty values are left out of the request.
  const page = usePage('GET /api/v1/app/:app_id/msg', { app_id: appId }, route, { ...filters, with_content: false, with_delivery_status: true }, 3000);
  const described = describeFilters(filters);

  return (
    <>
      <div className="page-head">
        <h2>Messages</h2>
        <MessageFinder appId={appId} />
        <button type="button" className="button button-small" onClick={page.reload}>
          Refresh
        </button>
      </div>
      <MessageFilters route={route} values={filters} />
      <PagedTable
        page={page}
        route={route}
        testId="message-list"
        firstLabel="Newest"
        headers={['Event type', 'Status', 'Message', 'Event ID', 'Channels & tags', 'Sent']}
        empty={
          <>
            <p>{described ? `No messages ${described}.` : 'No messages yet.'}</p>
            <p className="muted">Messages sent to this application appear here as they arrive.</p>
          </>
        }
        row={(m) => (
          <tr key={m.id}>
            <td>
              <a href={href('apps', appId, 'messages', m.id)}>{m.eventType}</a>
            </td>
            <td className="nowrap">{m.deliveryStatus && <DeliveryStatus tally={m.deliveryStatus} />}</td>
            <td>
              <Mono>{m.id}</Mono>
            </td>
            <td>{m.eventId ? <Mono>{m.eventId}</Mono> : <span className="muted">—</span>}</td>
            <td>
              <Chips items={[...(m.channels ?? []), ...(m.tags ?? []).map((t) => `#${t}`)]} empty="—" />
            </td>
            <td className="nowrap" title={formatTime(m.timestamp)}>
              {relativeTime(m.timestamp)}
            </td>
          </tr>
        )}
      />
    </>
  );
}

/** The worst state among a message's deliveries, with how many of them are in it. */
function deliveryState(t: DeliveryTallyOut): { label: string; tone: 'ok' | 'wait' | 'bad' | 'muted'; detail: string } {
  const total = t.delivered + t.pending + t.failing + t.failed + t.canceled;
  const of = (n: number) => (total > 1 ? ` ${n}/${total}` : '');
  if (total === 0) return { label: 'no endpoints', tone: 'muted', detail: 'No endpoint wanted this message' };
  const detail = `${t.delivered} delivered, ${t.pending} pending, ${t.failing} failing (retrying), ${t.failed} failed, ${t.canceled} canceled`;
  if (t.failed > 0) return { label: `failed${of(t.failed)}`, tone: 'bad', detail };
  if (t.failing > 0) return { label: `failing${of(t.failing)}`, tone: 'bad', detail };
  if (t.pending > 0) return { label: `pending${of(t.pending)}`, tone: 'wait', detail };
  if (t.delivered === 0) return { label: `canceled${of(t.canceled)}`, tone: 'muted', detail };
  return { label: `delivered${of(t.delivered)}`, tone: 'ok', detail };
}

function DeliveryStatus({ tally }: { tally: DeliveryTallyOut }) {
  const state = deliveryState(tally);
  return (
    <span className={`badge badge-${state.tone}`} title={state.detail} data-testid="delivery-status">
      {state.label}
    </span>
  );
}
