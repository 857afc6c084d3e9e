import { PagedTable } from '../components/PagedTable';
import { ChatKindBadge } from '../components/ChatKindBadge';
import { EndpointStateBadge } from '../components/CircuitState';
import { Chips, Notice } from '../components/common';
import { isChatKind } from '../lib/chat-kinds';
import { relativeTime } from '../lib/format';
import { href, type Route } from '../lib/router';
import { canWrite, useSession } from '../lib/session-context';
import { usePage } from '../lib/usePage';

export function EndpointList({ appId, route }: { appId: string; route: Route }) {
  const { me } = useSession();
  const page = usePage('GET /api/v1/app/:app_id/endpoint', { app_id: appId }, route);

  return (
    <>
      <div className="page-head">
        <h2>Endpoints</h2>
        {canWrite(me) && (
          <a className="button button-primary" href={href('apps', appId, 'endpoints', 'new')}>
            Add endpoint
          </a>
        )}
      </div>
      {route.query.get('deleted') && <Notice tone="success">Endpoint {route.query.get('deleted')} deleted.</Notice>}
      <PagedTable
        page={page}
        route={route}
        testId="endpoint-list"
        headers={['URL', 'Event types', 'State', 'Created']}
        empty={
          <>
            <p>No endpoints yet.</p>
            <p className="muted">An endpoint is a URL that receives this application's webhooks.</p>
          </>
        }
        row={(ep) => (
          <tr key={ep.id}>
            <td className="wrap">
              <a href={href('apps', appId, 'endpoints', ep.id)} className="mono">
                {ep.url}
              </a>
              {isChatKind(ep.kind) && <> <ChatKindBadge kind={ep.kind} /></>}
              {ep.description && <div className="muted small">{ep.description}</div>}
            </td>
            <td>
              <Chips items={ep.eventTypes} empty="All" />
            </td>
            <td>
              <EndpointStateBadge endpoint={ep} />
            </td>
            <td className="nowrap">{relativeTime(ep.createdAt)}</td>
          </tr>
        )}
      />
    </>
  );
}
