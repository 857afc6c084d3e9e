import { ErrorMessage, Mono, NotFound, Spinner } from '../components/common';
import { AppSettings } from '../components/AppSettings';
import { PortalLink } from '../components/PortalLink';
import { StatsPanel } from '../components/StatsPanel';
import { href, navigate, type Route } from '../lib/router';
import { canWrite, isAdmin, useSession } from '../lib/session-context';
import { useApi } from '../lib/useApi';
import { AttemptDetail } from './AttemptDetail';
import { AttemptList } from './AttemptList';
import { EndpointCreate } from './EndpointCreate';
import { EndpointDetail } from './EndpointDetail';
import { EndpointList } from './EndpointList';
import { EventTypeList } from './EventTypeList';
import { LiveView } from './LiveView';
import { MessageDetail } from './MessageDetail';
import { MessageList } from './MessageList';
import { DestinationForm } from './destinations/DestinationForm';
import { DestinationList } from './destinations/DestinationList';
import { DestinationPage } from './destinations/DestinationPage';

const TABS = [
  ['endpoints', 'Endpoints'],
  ['destinations', 'Destinations'],
  ['messages', 'Messages'],
  ['attempts', 'Attempts'],
  ['live', 'Live'],
  ['stats', 'Stats'],
  ['event-types', 'Event types'],
] as const;
/** Only admin tokens that may write change or delete an application (app tokens may not rename their own). */
const SETTINGS_TAB = ['settings', 'Settings'] as const;

/**
 * #/apps/{app}/endpoints[/new|/{ep}]
 * #/apps/{app}/destinations[/new|/{dest}]   brokers, databases, ordered endpoints and pollers
 * #/apps/{app}/messages[/{msg}[/attempts/{attempt}]]
 * #/apps/{app}/attempts
 * #/apps/{app}/live         attempts as they are made (a server-sent event stream)
 * #/apps/{app}/stats        charts of volume, success rate and latency
 * #/apps/{app}/event-types   the (shared) event type catalogue, reachable from the portal too
 * #/apps/{app}/settings     name, uid, rate limit, metadata; delete (admin tokens that may write)
 */
export function AppPage({ appId, route }: { appId: string; route: Route }) {
  const { api, me, portal } = useSession();
  const app = useApi(`app:${appId}`, (signal) => api.call('GET /api/v1/app/:app_id', { params: { app_id: appId }, signal }));

  if (app.error) return <ErrorMessage error={app.error} onRetry={app.reload} />;
  if (!app.data) return <Spinner />;
  const a = app.data;
  const [, , tab = 'endpoints', id, sub, subId, ...extra] = route.segments;
  const mayManage = !portal && isAdmin(me) && canWrite(me);

  return (
    <section>
      {!portal && (
        <div className="app-head">
          <div>
            {me.scope !== 'app' && (
              <a className="crumb" href="#/apps">
                Applications
              </a>
            )}
            <h1>{a.name}</h1>
            <div className="muted small">
              <Mono>{a.id}</Mono>
              {a.uid && (
                <>
                  {' · uid '}
                  <Mono>{a.uid}</Mono>
                </>
              )}
            </div>
          </div>
          {isAdmin(me) && <PortalLink appId={a.id} />}
        </div>
      )}
      <nav className="tabs" aria-label="Sections">
        {[...TABS, ...(mayManage ? [SETTINGS_TAB] : [])].map(([name, label]) => (
          <a key={name} href={href('apps', appId, name)} className={tab === name ? 'tab tab-active' : 'tab'} aria-current={tab === name ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      <div className="tab-body">
        {tab === 'settings' && mayManage && id === undefined ? <AppSettings app={a} onSaved={app.reload} /> : content(appId, route, tab, id, sub, subId, extra.length > 0)}
      </div>
    </section>
  );
}

function content(appId: string, route: Route, tab: string, id?: string, sub?: string, subId?: string, extra?: boolean) {
  if (extra) return <NotFound />;
  if (tab === 'endpoints') {
    if (id === undefined) return <EndpointList appId={appId} route={route} />;
    if (sub !== undefined) return <NotFound />;
    if (id === 'new') return <EndpointCreate appId={appId} />;
    return <EndpointDetail key={id} appId={appId} endpointId={id} route={route} />;
  }
  if (tab === 'destinations') {
    if (id === undefined) return <DestinationList appId={appId} route={route} />;
    if (sub !== undefined) return <NotFound />;
    if (id === 'new') {
      return (
        <DestinationForm
          appId={appId}
          onSaved={(d) => navigate(href('apps', appId, 'destinations', d.id, { created: '1' }))}
          onCancel={() => navigate(href('apps', appId, 'destinations'))}
        />
      );
    }
    return <DestinationPage key={id} appId={appId} destinationId={id} route={route} />;
  }
  if (tab === 'messages') {
    if (id === undefined) return <MessageList appId={appId} route={route} />;
    if (sub === undefined) return <MessageDetail key={id} appId={appId} msgId={id} />;
    if (sub === 'attempts' && subId !== undefined) return <AttemptDetail key={subId} appId={appId} msgId={id} attemptId={subId} />;
    return <NotFound />;
  }
  if (tab === 'attempts' && id === undefined) return <AttemptList appId={appId} route={route} />;
  if (tab === 'live' && id === undefined) return <LiveView appId={appId} route={route} />;
  if (tab === 'stats' && id === undefined) return <StatsPanel of={{ app_id: appId }} title="Application stats" />;
  if (tab === 'event-types' && id === undefined) return <EventTypeList route={route} />;
  return <NotFound />;
}
