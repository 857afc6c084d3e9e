import { useEffect, useState, type ReactNode } from 'react';
import { routeTarget, type EndpointOut } from '@herald/wire';
import { ChatKindBadge } from '../components/ChatKindBadge';
import { ChatTemplatePanel } from '../components/ChatTemplatePanel';
import { CircuitText, EndpointStateBadge, circuitOpen } from '../components/CircuitState';
import { Chips, ConfirmButton, ErrorMessage, Fields, Mono, Notice, Spinner } from '../components/common';
import { scheduleSummary, timeoutSummary } from '../components/DeliveryOverrides';
import { EndpointAuthPanel } from '../components/EndpointAuthPanel';
import { EndpointEditForm } from '../components/EndpointEditForm';
import { HeadersEditor } from '../components/HeadersEditor';
import { RecoverPanel } from '../components/RecoverPanel';
import { SendExample } from '../components/SendExample';
import { SendTestMessage } from '../components/SendTestMessage';
import { SecretPanel } from '../components/SecretPanel';
import { StatsPanel } from '../components/StatsPanel';
import { TransformationEditor } from '../components/TransformationEditor';
import { ENDPOINT_KINDS, isChatKind } from '../lib/chat-kinds';
import { formatTime } from '../lib/format';
import { href, navigate, type Route } from '../lib/router';
import { canReadSecrets, canWrite, useSession } from '../lib/session-context';
import { useAction, useApi } from '../lib/useApi';

const CIRCUIT_POLL_MS = 5_000;

export function EndpointDetail({ appId, endpointId, route }: { appId: string; endpointId: string; route: Route }) {
  const { api, me } = useSession();
  const params = { app_id: appId, endpoint_id: endpointId };
  const path = routeTarget('GET /api/v1/app/:app_id/endpoint/:endpoint_id', params).path;
  const [editing, setEditing] = useState(false);
  // While its circuit is open the page follows it (the next probe, or that it closed), except during an edit.
  const [held, setHeld] = useState(false);
  const endpoint = useApi(`endpoint:${path}`, (signal) => api.call('GET /api/v1/app/:app_id/endpoint/:endpoint_id', { params, signal }), { pollMs: held && !editing ? CIRCUIT_POLL_MS : false });
  const open = endpoint.data ? circuitOpen(endpoint.data) : false;
  useEffect(() => setHeld(open), [open]);
  const toggle = useAction((disabled: boolean) => api.call('PATCH /api/v1/app/:app_id/endpoint/:endpoint_id', { params, body: { disabled } }));
  const remove = useAction(async () => {
    await api.call('DELETE /api/v1/app/:app_id/endpoint/:endpoint_id', { params });
    return true;
  });
  const [saved, setSaved] = useState(false);

  if (endpoint.error) return <ErrorMessage error={endpoint.error} onRetry={endpoint.reload} />;
  if (!endpoint.data) return <Spinner />;
  const ep = endpoint.data;
  const writable = canWrite(me);
  const chat = isChatKind(ep.kind);
  const doDelete = async () => {
    if (await remove.run()) navigate(href('apps', appId, 'endpoints', { deleted: ep.url }));
  };

  if (editing) {
    return (
      <div className="stack">
        <a className="crumb" href={href('apps', appId, 'endpoints')}>
          ← Endpoints
        </a>
        <EndpointEditForm
          params={params}
          endpoint={ep}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            setSaved(true);
            endpoint.reload();
          }}
        />
      </div>
    );
  }

  return (
    <div className="stack">
      <a className="crumb" href={href('apps', appId, 'endpoints')}>
        ← Endpoints
      </a>
      {route.query.get('created') && <Notice tone="success">Endpoint created.</Notice>}
      {saved && <Notice tone="success">Endpoint saved.</Notice>}
      <div className="card">
        <div className="page-head">
          <div className="grow">
            <h2 className="mono wrap" data-testid="endpoint-url">
              {ep.url}
            </h2>
            {ep.description && <p className="muted">{ep.description}</p>}
          </div>
          <EndpointStateBadge endpoint={ep} />
          {writable && (
            <button
              type="button"
              className={ep.disabled ? 'button button-primary' : 'button'}
              disabled={toggle.busy}
              onClick={() => toggle.run(!ep.disabled).then((r) => r && endpoint.reload())}
            >
              {ep.disabled ? 'Enable' : 'Disable'}
            </button>
          )}
          {writable && (
            <button type="button" className="button" onClick={() => { setSaved(false); setEditing(true); }}>
              Edit
            </button>
          )}
          {writable && <ConfirmButton label="Delete…" confirmLabel="Delete endpoint" onConfirm={doDelete} busy={remove.busy} danger />}
        </div>
        {toggle.error && <ErrorMessage error={toggle.error} />}
        {remove.error && <ErrorMessage error={remove.error} />}
        <Fields
          rows={[
            ['ID', <Mono>{ep.id}</Mono>],
            ['UID', ep.uid ? <Mono>{ep.uid}</Mono> : null],
            ...kindRows(ep),
            ['Event types', <Chips items={ep.eventTypes} empty="All event types" />],
            ['Channels', <Chips items={ep.channels} empty="All channels" />],
            ['Rate limit', ep.throttleRate ? `${ep.throttleRate} / s` : 'None'],
            ['Concurrency', ep.concurrency ? `${ep.concurrency} in flight at once` : 'Server default'],
            ['Ordered delivery', ep.ordered ? 'Yes' : 'No'],
            ['Retry schedule', <span data-testid="retry-schedule">{scheduleSummary(ep.retrySchedule)}</span>],
            ['Request timeout', <span data-testid="request-timeout">{timeoutSummary(ep.requestTimeout)}</span>],
            ['Circuit breaker', <CircuitText circuit={ep.circuit} />],
            ['Filter', ep.filter ? <Mono>{JSON.stringify(ep.filter)}</Mono> : 'None'],
            ['Created', formatTime(ep.createdAt)],
            ['Updated', formatTime(ep.updatedAt)],
          ]}
        />
        <div className="row">
          <a className="button button-small" href={href('apps', appId, 'attempts', { endpoint: ep.id })}>
            Delivery attempts →
          </a>
          <a className="button button-small" href={href('apps', appId, 'live', { endpoint: ep.id })}>
            Live attempts →
          </a>
        </div>
      </div>
      {chat && <ChatTemplatePanel endpoint={params} ep={ep} writable={writable} onSaved={endpoint.reload} />}
      {writable && <SendTestMessage appId={appId} endpoint={params} disabled={ep.disabled} />}
      <StatsPanel of={params} title="Endpoint stats" />
      {/* A chat tool gets its own body, signed its own way if at all: Herald's webhook signature is not sent to it. */}
      {canReadSecrets(me) && !chat && (
        <SecretPanel
          load={() => api.call('GET /api/v1/app/:app_id/endpoint/:endpoint_id/secret', { params })}
          rotate={writable ? () => api.call('POST /api/v1/app/:app_id/endpoint/:endpoint_id/secret/rotate', { params, body: {} }) : undefined}
          about={<>Receivers verify each webhook's <code>webhook-signature</code> header with this secret.</>}
          testId="endpoint-secret"
        />
      )}
      {canReadSecrets(me) && <HeadersEditor endpoint={params} writable={writable} />}
      {canReadSecrets(me) && <EndpointAuthPanel endpoint={params} writable={writable} />}
      <TransformationEditor endpoint={params} endpointEventTypes={ep.eventTypes} writable={writable} />
      {writable && <SendExample appId={appId} endpoint={params} disabled={ep.disabled} />}
      {writable && <RecoverPanel endpoint={params} />}
    </div>
  );
}

/** The endpoint's kind and, for a chat endpoint, whether its messages carry its tool's signature (and why not). */
function kindRows(ep: EndpointOut): [string, ReactNode][] {
  if (!isChatKind(ep.kind)) return [['Kind', 'Webhook (Herald’s signed JSON)']];
  const { label, signs } = ENDPOINT_KINDS[ep.kind];
  const signed = !signs ? `No: ${label} webhooks are not signed` : ep.chatSigned ? 'Yes: each message carries the signature of its secret' : 'No: no signing secret is set';
  return [['Kind', <ChatKindBadge kind={ep.kind} />], ['Signed', <span data-testid="chat-signed">{signed}</span>]];
}
