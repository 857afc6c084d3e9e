import { useState } from 'react';
import { ErrorMessage, Notice, Spinner } from '../components/common';
import { EventTypeCard } from '../components/EventTypeCard';
import { EventTypeCreate } from '../components/EventTypeCreate';
import { EventTypeManaged } from '../components/EventTypeManaged';
import { Pager } from '../components/Pager';
import { navigate, withQueryValues, type Route } from '../lib/router';
import { isAdmin, useSession } from '../lib/session-context';
import { usePage } from '../lib/usePage';

/**
 * The event type catalogue (shared by every application): what consumers can subscribe to, with each type's
 * schemas and example payloads. Paginated on the server like the other lists. Only admin tokens may change the
 * catalogue (it is global): they add, edit, archive and delete types.
 */
export function EventTypeList({ route }: { route: Route }) {
  const { me } = useSession();
  const archived = route.query.get('archived') === '1';
  const page = usePage('GET /api/v1/event-type', {}, route, { with_content: true, include_archived: archived || undefined });
  const admin = isAdmin(me);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const changed = (message: string) => {
    setNotice(message);
    page.reload();
  };

  return (
    <>
      <div className="page-head">
        <h2 className="grow">Event types</h2>
        <label className="check small">
          <input
            type="checkbox"
            checked={archived}
            onChange={(e) => navigate(withQueryValues(route, { archived: e.target.checked ? '1' : null, iterator: null }))}
          />{' '}
          Show archived
        </label>
        {admin && !creating && (
          <button type="button" className="button button-primary" onClick={() => { setNotice(null); setCreating(true); }}>
            New event type
          </button>
        )}
      </div>
      {creating && (
        <EventTypeCreate
          onCancel={() => setCreating(false)}
          onCreated={(t) => {
            setCreating(false);
            changed(`Event type ${t.name} created.`);
          }}
        />
      )}
      {notice && <Notice tone="success">{notice}</Notice>}
      {page.error && <ErrorMessage error={page.error} onRetry={page.reload} />}
      {!page.data && !page.error && <Spinner />}
      {page.data && page.data.data.length === 0 && (
        <div className="empty-state">
          <p>No event types yet.</p>
          <p className="muted">The catalogue lists the kinds of events endpoints can subscribe to.</p>
        </div>
      )}
      {page.data && page.data.data.length > 0 && (
        <div className="stack" data-testid="event-type-list">
          {page.data.data.map((t) => (
            admin ? <EventTypeManaged key={t.name} eventType={t} onChanged={changed} onEdit={() => setNotice(null)} /> : <EventTypeCard key={t.name} eventType={t} />
          ))}
        </div>
      )}
      {page.data && <Pager route={route} page={page.data} />}
    </>
  );
}
