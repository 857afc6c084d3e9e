import { useEffect } from 'react';
import { NotFound } from './components/common';
import { AppList } from './pages/AppList';
import { AppPage } from './pages/AppPage';
import { EventTypeList } from './pages/EventTypeList';
import { href, navigate, useRoute } from './lib/router';
import { singleApp, useSession } from './lib/session-context';

/**
 * #/                     the start: the applications, or the one application an app token or portal link reaches
 * #/apps                 applications (operators)
 * #/apps/{app}/…         an application: endpoints, messages, attempts, event types (see AppPage)
 * #/event-types          the event type catalogue (operators; an application's tab shows it too)
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
  return <NotFound />;
}
