import { useEffect, useState, type FormEvent } from 'react';
import { PagedTable } from '../components/PagedTable';
import { seg } from '../api/client';
import type { Message } from '../api/types';
import { Mono } from '../components/common';
import { formatTime, relativeTime } from '../lib/format';
import { href, navigate, withQueryValues, type Route } from '../lib/router';
import { usePage } from '../lib/usePage';

/** Newest first; the first page refreshes itself, so new messages appear at the top. */
export function MessageList({ appId, route }: { appId: string; route: Route }) {
  const eventTypes = route.query.get('event_types') ?? '';
  const page = usePage<Message>(`/api/v1/app/${seg(appId)}/msg`, route, { event_types: eventTypes || undefined, with_content: false }, 3000);

  return (
    <>
      <div className="page-head">
        <h2>Messages</h2>
        <EventTypeFilter route={route} value={eventTypes} />
        <button type="button" className="button button-small" onClick={page.reload}>
          Refresh
        </button>
      </div>
      <PagedTable
        page={page}
        route={route}
        testId="message-list"
        firstLabel="Newest"
        headers={['Event type', 'Message', 'Event ID', 'Sent']}
        empty={
          <>
            <p>{eventTypes ? `No messages of type ${eventTypes}.` : 'No messages yet.'}</p>
            <p className="muted">Messages sent to this application appear here as they arrive.</p>
          </>
        }
        row={(m) => (
          <tr key={m.id}>
            <td>
              <a href={href('apps', appId, 'messages', m.id)}>{m.eventType}</a>
            </td>
            <td>
              <Mono>{m.id}</Mono>
            </td>
            <td>{m.eventId ? <Mono>{m.eventId}</Mono> : <span className="muted">—</span>}</td>
            <td className="nowrap" title={formatTime(m.timestamp)}>
              {relativeTime(m.timestamp)}
            </td>
          </tr>
        )}
      />
    </>
  );
}

/** Event types, comma-separated; applying the filter starts again from the newest page. */
function EventTypeFilter({ route, value }: { route: Route; value: string }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate(withQueryValues(route, { event_types: draft.trim() || null, iterator: null }));
  };
  return (
    <form className="filter" role="search" onSubmit={apply}>
      <input aria-label="Filter by event type" placeholder="Event type, e.g. invoice.paid" value={draft} onChange={(e) => setDraft(e.target.value)} />
      <button type="submit" className="button button-small">
        Filter
      </button>
      {value && (
        <a className="button button-small" href={withQueryValues(route, { event_types: null, iterator: null })}>
          Clear
        </a>
      )}
    </form>
  );
}
