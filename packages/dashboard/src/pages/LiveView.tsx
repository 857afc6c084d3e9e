import { useEffect, useState, type FormEvent } from 'react';
import type { StreamState } from '../api/stream';
import { HeldAttempts } from '../components/CircuitState';
import { CodeBadge, Mono, StatusBadge } from '../components/common';
import { formatDuration, formatTime } from '../lib/format';
import { href, navigate, withQueryValues, type Route } from '../lib/router';
import { useSession } from '../lib/session-context';
import { useApi } from '../lib/useApi';
import { LIVE_CAP, isGap, useLiveAttempts, usePause, type LiveGap, type LiveRow } from '../lib/useLiveAttempts';

const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/** #/apps/{app}/live[?endpoint=&event_types=]: attempts as they are made, newest at the top, without reloading. */
export function LiveView({ appId, route }: { appId: string; route: Route }) {
  const { api } = useSession();
  const endpointId = route.query.get('endpoint');
  const eventTypes = route.query.get('event_types');
  const live = useLiveAttempts(appId, endpointId, eventTypes);
  const view = usePause(live.attempts, live.received);
  // Polled: an endpoint's circuit opening or closing says why attempts to it stop or start again.
  const endpoints = useApi(`endpoints-pick:${appId}`, (signal) => api.call('GET /api/v1/app/:app_id/endpoint', { params: { app_id: appId }, query: { limit: 100 }, signal }), { pollMs: 10_000, keep: true });
  const known = endpoints.data?.data ?? [];
  const urls = new Map(known.map((e) => [e.id, e.url]));

  return (
    <>
      <div className="page-head">
        <h2>Live attempts</h2>
        <StreamStatus state={live.state} />
        <div className="filter">
          <select aria-label="Endpoint" value={endpointId ?? ''} onChange={(e) => navigate(withQueryValues(route, { endpoint: e.target.value || null }))}>
            <option value="">All endpoints</option>
            {endpointId && !urls.has(endpointId) && <option value={endpointId}>{endpointId}</option>}
            {known.map((e) => (
              <option key={e.id} value={e.id}>
                {e.url}
              </option>
            ))}
          </select>
          <EventTypesFilter route={route} value={eventTypes ?? ''} />
        </div>
        <button type="button" className="button button-small" onClick={view.paused ? view.resume : view.pause}>
          {view.paused ? `Resume${view.since ? ` (${view.since} new)` : ''}` : 'Pause'}
        </button>
        <button type="button" className="button button-small" onClick={() => { view.resume(); live.clear(); }} disabled={view.rows.length === 0}>
          Clear
        </button>
      </div>
      <HeldAttempts appId={appId} endpoints={endpointId ? known.filter((e) => e.id === endpointId) : known} />
      {view.rows.length === 0 ? (
        <div className="empty-state">
          <p>Waiting for attempts…</p>
          <p className="muted">Each delivery attempt {endpointId || eventTypes ? 'matching the filters ' : ''}appears here the moment it is made.</p>
        </div>
      ) : (
        <LiveTable appId={appId} endpointId={endpointId} rows={view.rows} urls={urls} />
      )}
      <p className="hint">
        The newest {LIVE_CAP} attempts are kept while this page is open; older ones are in the Attempts tab.
      </p>
    </>
  );
}

function LiveTable({ appId, endpointId, rows, urls }: { appId: string; endpointId: string | null; rows: LiveRow[]; urls: Map<string, string> }) {
  return (
    <div className="table-wrap">
      <table className="list attempts" data-testid="live-list">
        <thead>
          <tr>
            <th>Time</th>
            <th>Status</th>
            <th>Response</th>
            <th>Duration</th>
            <th>Event type</th>
            <th>Endpoint</th>
            <th>Message</th>
            <th>Try</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => isGap(a) ? <GapRow key={a.id} appId={appId} endpointId={endpointId} gap={a} /> : (
            <tr key={a.id} className="live-row" data-attempt-id={a.id}>
              <td className="nowrap">
                <a href={href('apps', appId, 'messages', a.msgId, 'attempts', a.id)} title={formatTime(a.timestamp)}>
                  {clock.format(new Date(a.timestamp))}
                </a>
              </td>
              <td>
                <StatusBadge status={a.status} label={a.nextAttempt && a.status !== 0 ? 'Will retry' : undefined} />
              </td>
              <td title={a.response}>
                <CodeBadge code={a.responseStatusCode} />
              </td>
              <td className="nowrap">{formatDuration(a.responseDurationMs)}</td>
              <td>
                <Mono>{a.eventType}</Mono>
              </td>
              <td className="response-snippet">
                <a href={href('apps', appId, 'endpoints', a.endpointId)} className="mono">
                  {urls.get(a.endpointId) ?? a.url}
                </a>
              </td>
              <td>
                <a href={href('apps', appId, 'messages', a.msgId)} className="mono">
                  {a.msgId}
                </a>
              </td>
              <td className="nowrap" title={a.nextAttempt ? `next try ${formatTime(a.nextAttempt)}` : undefined}>
                #{a.attemptNumber}
                {a.triggerType === 1 && <span className="muted"> manual</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Where the stream was down. The attempt log has what was made meanwhile: the link opens it from the last moment the
 * stream was heard from (an endpoint's attempts; the first endpoint's when the view shows them all).
 */
function GapRow({ appId, endpointId, gap }: { appId: string; endpointId: string | null; gap: LiveGap }) {
  const after = new Date(Date.parse(gap.missedSince) - 1).toISOString();
  return (
    <tr className="live-gap" data-testid="live-gap">
      <td colSpan={8}>
        Connection lost: attempts made from {clock.format(new Date(gap.missedSince))} until it came back at {clock.format(new Date(gap.reconnectedAt))} are not
        listed here. <a href={href('apps', appId, 'attempts', { endpoint: endpointId, after })}>See them in the attempt log</a>
      </td>
    </tr>
  );
}

/** Connected, connecting, or when the next try is (counting down). */
function StreamStatus({ state }: { state: StreamState }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (state.kind !== 'waiting') return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [state]);
  const [tone, label, title] =
    state.kind === 'open' ? ['ok', 'Live', 'Connected: new attempts appear at once']
    : state.kind === 'connecting' ? ['wait', 'Connecting…', undefined]
    : state.kind === 'waiting' ? ['wait', `Reconnecting in ${Math.max(1, Math.ceil((state.retryAt - now) / 1000))} s`, state.error]
    : ['bad', `Stopped: ${state.error}`, undefined];
  return (
    <span className={`badge badge-${tone} live-status`} data-testid="live-status" data-state={state.kind} title={title} role="status">
      {state.kind === 'open' && <span className="live-dot" aria-hidden="true" />}
      {label}
    </span>
  );
}

function EventTypesFilter({ route, value }: { route: Route; value: string }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate(withQueryValues(route, { event_types: draft.replace(/\s+/g, '') || null }));
  };
  return (
    <form className="filter" role="search" onSubmit={apply}>
      <input aria-label="Event types" placeholder="Event types, comma-separated" value={draft} onChange={(e) => setDraft(e.target.value)} />
      <button type="submit" className="button button-small">
        Filter
      </button>
    </form>
  );
}
