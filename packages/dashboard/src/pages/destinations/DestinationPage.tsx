import { useState, type ReactNode } from 'react';
import type { DestinationOut } from '@herald/wire';
import { AttemptTable } from '../../components/AttemptTable';
import { Chips, ConfirmButton, ErrorMessage, Fields, Mono, Notice, Spinner } from '../../components/common';
import { Pager } from '../../components/Pager';
import { SecretPanel } from '../../components/SecretPanel';
import { formatSeconds, formatTime } from '../../lib/format';
import { href, navigate, withQueryValues, type Route } from '../../lib/router';
import { canReadSecrets, canWrite, useSession } from '../../lib/session-context';
import { useAction, useApi } from '../../lib/useApi';
import { usePage } from '../../lib/usePage';
import { configRows } from './DestinationConfigView';
import { DestinationForm } from './DestinationForm';
import { DestinationStatusBadge, DestinationTarget } from './DestinationList';
import { isKnownType, specOf } from './destination-types';
import { PollerPanel } from './PollerPanel';

const ATTEMPTS_POLL_MS = 5_000;

/**
 * #/apps/{app}/destinations/{dest}[?created=1]: a destination's settings as the API shows them (no credentials),
 * with a writing token enable/disable, edit and delete; its signing secret for tokens that may read secrets; and
 * what became of its messages: a poller's way to be read, any other's delivery attempts (a destination is an
 * endpoint underneath, so its attempts are listed as an endpoint's).
 */
export function DestinationPage({ appId, destinationId, route }: { appId: string; destinationId: string; route: Route }) {
  const { api, me } = useSession();
  const params = { app_id: appId, destination_id: destinationId };
  const loaded = useApi(`destination:${appId}/${destinationId}`, (signal) => api.call('GET /api/v1/app/:app_id/destination/:destination_id', { params, signal }));
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const toggle = useAction((status: 'enabled' | 'disabled') => api.call('PATCH /api/v1/app/:app_id/destination/:destination_id', { params, body: { status } }));
  const remove = useAction(async () => {
    await api.call('DELETE /api/v1/app/:app_id/destination/:destination_id', { params });
    return true;
  });

  if (loaded.error) return <ErrorMessage error={loaded.error} onRetry={loaded.reload} />;
  if (!loaded.data) return <Spinner />;
  const d = loaded.data;
  const writable = canWrite(me);
  const poller = d.type === 'pollingEndpoint';
  const crumb = (
    <a className="crumb" href={href('apps', appId, 'destinations')}>
      ← Destinations
    </a>
  );

  if (editing) {
    return (
      <div className="stack">
        {crumb}
        <DestinationForm
          appId={appId}
          destination={d}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            setSaved(true);
            loaded.reload();
          }}
        />
      </div>
    );
  }

  const startEdit = () => {
    setSaved(false);
    setEditing(true);
    // "Destination created" has been read by now: it would otherwise still greet the edited destination.
    if (route.query.get('created')) navigate(withQueryValues(route, { created: null }), true);
  };
  const doDelete = async () => {
    if (await remove.run()) navigate(href('apps', appId, 'destinations', { deleted: `${specOf(d.type).label} ${d.id}` }));
  };

  return (
    <div className="stack">
      {crumb}
      {route.query.get('created') && <Notice tone="success">Destination created.</Notice>}
      {saved && <Notice tone="success">Destination saved.</Notice>}
      <div className="card">
        <div className="page-head">
          <div className="grow">
            <h2 data-testid="destination-type">{specOf(d.type).label}</h2>
            <DestinationTarget destination={d} />
          </div>
          <DestinationStatusBadge status={d.status} />
          {writable && (
            <button
              type="button"
              className={d.status === 'disabled' ? 'button button-primary' : 'button'}
              disabled={toggle.busy}
              onClick={() => toggle.run(d.status === 'disabled' ? 'enabled' : 'disabled').then((r) => r && loaded.reload())}
            >
              {d.status === 'disabled' ? 'Enable' : 'Disable'}
            </button>
          )}
          {writable && isKnownType(d.type) && (
            <button type="button" className="button" onClick={startEdit}>
              Edit
            </button>
          )}
          {writable && <ConfirmButton label="Delete…" confirmLabel="Delete destination" onConfirm={doDelete} busy={remove.busy} danger />}
        </div>
        {toggle.error && <ErrorMessage error={toggle.error} />}
        {remove.error && <ErrorMessage error={remove.error} />}
        <Fields rows={fieldRows(d, poller)} />
      </div>
      {poller ? <PollerPanel appId={appId} pollerId={d.id} /> : (
        <>
          {canReadSecrets(me) && (
            <SecretPanel
              load={() => api.call('GET /api/v1/app/:app_id/destination/:destination_id/secret', { params })}
              about={<>What the destination receives carries a <code>webhook-signature</code> made with this secret.</>}
              testId="destination-secret"
            />
          )}
          <DestinationAttempts appId={appId} destinationId={d.id} route={route} />
        </>
      )}
    </div>
  );
}

function fieldRows(d: DestinationOut, poller: boolean): [string, ReactNode][] {
  return [
    ['ID', <Mono>{d.id}</Mono>],
    ['UID', d.uid ? <Mono>{d.uid}</Mono> : null],
    ...configRows(d),
    ['Event types', <Chips items={d.eventTypes} empty="All event types" />],
    ['Channels', <Chips items={d.channels} empty="All channels" />],
    // A poller's readers choose how many they read at once: batching means nothing to it.
    ...(poller ? [] : [
      ['Batch size', d.batchSize === 1 ? 'One message at a time' : `Up to ${d.batchSize} messages at once`],
      ['Max wait', d.maxWaitSecs === 0 ? 'None: sent at once' : formatSeconds(d.maxWaitSecs)],
    ] as [string, ReactNode][]),
    ['Created', formatTime(d.createdAt)],
    ['Updated', formatTime(d.updatedAt)],
  ];
}

/** The destination's delivery attempts, newest first; the first page follows new ones. */
function DestinationAttempts({ appId, destinationId, route }: { appId: string; destinationId: string; route: Route }) {
  const page = usePage('GET /api/v1/app/:app_id/attempt/endpoint/:endpoint_id', { app_id: appId, endpoint_id: destinationId }, route, {}, ATTEMPTS_POLL_MS);
  return (
    <section className="card" aria-label="Delivery attempts">
      <h3>Delivery attempts</h3>
      {page.error && <ErrorMessage error={page.error} onRetry={page.reload} />}
      {!page.data && !page.error && <Spinner />}
      {page.data && page.data.data.length === 0 && <p className="muted">No attempts yet.</p>}
      {page.data && page.data.data.length > 0 && <AttemptTable appId={appId} attempts={page.data.data} showMessage />}
      {page.data && <Pager route={route} page={page.data} firstLabel="Newest" />}
    </section>
  );
}
