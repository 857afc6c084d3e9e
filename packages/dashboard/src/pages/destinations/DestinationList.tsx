import type { DestinationOut } from '@herald/wire';
import { Chips, Notice } from '../../components/common';
import { PagedTable } from '../../components/PagedTable';
import { relativeTime } from '../../lib/format';
import { href, type Route } from '../../lib/router';
import { canWrite, useSession } from '../../lib/session-context';
import { usePage } from '../../lib/usePage';
import { specOf } from './destination-types';

/** enabled, disabled, or retrying (Svix's word for one that is failing and retried). */
export function DestinationStatusBadge({ status }: { status: DestinationOut['status'] }) {
  if (status === 'disabled') return <span className="badge badge-bad">Disabled</span>;
  if (status === 'retrying') return <span className="badge badge-wait">Retrying</span>;
  return <span className="badge badge-ok">Enabled</span>;
}

/** Where the destination's messages go: its address (a URI without its password) and what within it. */
export function DestinationTarget({ destination: d }: { destination: DestinationOut }) {
  const { address, into } = specOf(d.type).target(d.config);
  return (
    <>
      {address && <div className="mono wrap">{address}</div>}
      {into && <div className="muted small">{into}</div>}
    </>
  );
}

/** #/apps/{app}/destinations: the application's brokers, databases, ordered endpoints and pollers, newest first. */
export function DestinationList({ appId, route }: { appId: string; route: Route }) {
  const { me } = useSession();
  const page = usePage('GET /api/v1/app/:app_id/destination', { app_id: appId }, route);

  return (
    <>
      <div className="page-head">
        <h2>Destinations</h2>
        {canWrite(me) && (
          <a className="button button-primary" href={href('apps', appId, 'destinations', 'new')}>
            Add destination
          </a>
        )}
      </div>
      {route.query.get('deleted') && <Notice tone="success">Destination {route.query.get('deleted')} deleted.</Notice>}
      <PagedTable
        page={page}
        route={route}
        testId="destination-list"
        headers={['Type', 'Delivers to', 'Event types', 'Status', 'Created']}
        empty={
          <>
            <p>No destinations yet.</p>
            <p className="muted">
              A destination takes this application's messages somewhere other than a webhook URL: RabbitMQ, PostgreSQL, NATS,
              MQTT, a Redis stream, an endpoint that gets them strictly in order, or a poller that consumers read.
            </p>
          </>
        }
        row={(d) => (
          <tr key={d.id} data-destination-id={d.id}>
            <td className="nowrap">
              <a href={href('apps', appId, 'destinations', d.id)}>{specOf(d.type).label}</a>
            </td>
            <td className="wrap">
              <DestinationTarget destination={d} />
            </td>
            <td>
              <Chips items={d.eventTypes} empty="All" />
            </td>
            <td>
              <DestinationStatusBadge status={d.status} />
            </td>
            <td className="nowrap">{relativeTime(d.createdAt)}</td>
          </tr>
        )}
      />
    </>
  );
}
