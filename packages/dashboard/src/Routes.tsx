import { useEffect } from 'react';
import { NotFound } from './components/common';
import { AppList } from './pages/AppList';
import { AppPage } from './pages/AppPage';
import { EventTypeList } from './pages/EventTypeList';
import { AuditLog } from './pages/admin/AuditLog';
import { TokenList } from './pages/admin/TokenList';
import { InboundRequestDetail } from './pages/sources/InboundRequestDetail';
import { SourceList } from './pages/sources/SourceList';
import { SourcePage } from './pages/sources/SourcePage';
import { href, navigate, useRoute, type Route } from './lib/router';
import { isAdmin, singleApp, useSession } from './lib/session-context';

/**
 * #/                     the start: the applications, or the one application an app token or portal link reaches
 * #/apps                 applications (operators)
 * #/apps/{app}/…         an application: endpoints, messages, attempts, event types (see AppPage)
 * #/event-types          the event type catalogue (operators; an application's tab shows it too)
 * #/sources[/{src}[/requests/{req}]]   inbound sources and their captured requests (operators)
 * #/tokens[?portal=1]    API tokens (or portal links): issue, revoke (admin tokens)
 * #/audit               the audit log (admin tokens)
 */
export function Routes() {
  const route = useRoute();
  const { me } = useSession();
  const only = singleApp(me);
  const [first, appId] = route.segments;

  const start = route.segments.length === 0 || (first === 'apps' && appId === undefined && only !== null);
  useEffect(() => {
    if (start) navigate(only ? href('apps', only, 'endpoints') : href('apps'), true);
  }, [start, only]);

  if (start) return null;
  if (first === 'apps' && appId === undefined) return <AppList route={route} />;
  if (first === 'apps' && appId !== undefined) return <AppPage appId={appId} route={route} />;
  if (first === 'event-types' && appId === undefined) {
    return only ? <AppPage appId={only} route={{ ...route, segments: ['apps', only, 'event-types'] }} /> : <EventTypeList route={route} />;
  }
  if (first === 'sources' && only === null) return sources(route);
  if (first === 'tokens' && appId === undefined && isAdmin(me)) return <TokenList route={route} />;
  if (first === 'audit' && appId === undefined && isAdmin(me)) return <AuditLog route={route} />;
  return <NotFound />;
}

function sources(route: Route) {
  const [, sourceId, sub, requestId, ...extra] = route.segments;
  if (sourceId === undefined) return <SourceList route={route} />;
  if (sub === undefined) return <SourcePage key={sourceId} sourceId={sourceId} route={route} />;
  if (sub === 'requests' && requestId !== undefined && extra.length === 0) {
    return <InboundRequestDetail key={requestId} sourceId={sourceId} requestId={requestId} />;
  }
  return <NotFound />;
}
