import { routeTarget } from '@herald/wire';
import { CodeBadge, CopyButton, ErrorMessage, Fields, Mono, Spinner, StatusBadge } from '../components/common';
import { HeaderTable } from '../components/HeaderTable';
import { JsonView } from '../components/JsonView';
import { formatDuration, formatTime } from '../lib/format';
import { href } from '../lib/router';
import { useSession } from '../lib/session-context';
import { useApi } from '../lib/useApi';

/** One attempt: where it went, what it sent (headers, payload) and what came back (status, body, duration). */
export function AttemptDetail({ appId, msgId, attemptId }: { appId: string; msgId: string; attemptId: string }) {
  const { api } = useSession();
  const msg = { app_id: appId, msg_id: msgId };
  const msgPath = routeTarget('GET /api/v1/app/:app_id/msg/:msg_id', msg).path;
  const attempt = useApi(`attempt:${msgPath}:${attemptId}`, (signal) => api.call('GET /api/v1/app/:app_id/msg/:msg_id/attempt/:attempt_id', { params: { ...msg, attempt_id: attemptId }, signal }));
  const message = useApi(`msg:${msgPath}`, (signal) => api.call('GET /api/v1/app/:app_id/msg/:msg_id', { params: msg, query: { with_content: false }, signal }));
  // The payload as text, byte for byte: a parsed and re-indented copy would not verify against the signature.
  const body = useApi(`msg-content:${msgPath}`, (signal) => api.getText('GET /api/v1/app/:app_id/msg/:msg_id/content', msg, signal));
  const sent = useApi(`attempt-headers:${msgPath}:${attemptId}`, (signal) =>
    api.call('GET /api/v1/app/:app_id/msg/:msg_id/attempt/:attempt_id/headers', { params: { ...msg, attempt_id: attemptId }, signal }));

  if (attempt.error) return <ErrorMessage error={attempt.error} onRetry={attempt.reload} />;
  if (!attempt.data) return <Spinner />;
  const a = attempt.data;

  return (
    <div className="stack">
      <a className="crumb" href={href('apps', appId, 'messages', msgId)}>
        ← Message {message.data ? message.data.eventType : ''}
      </a>
      <div className="card" data-testid="attempt-detail">
        <div className="page-head">
          <h2>Attempt</h2>
          <StatusBadge status={a.status} />
          <CodeBadge code={a.responseStatusCode} />
          <span className="spacer" />
          <Mono>{a.id}</Mono>
        </div>
        <Fields
          rows={[
            ['URL', <Mono>{a.url}</Mono>],
            ['Endpoint', <a href={href('apps', appId, 'endpoints', a.endpointId)}>{a.endpointId}</a>],
            ['Message', <a href={href('apps', appId, 'messages', a.msgId)}>{a.msgId}</a>],
            ['When', formatTime(a.timestamp)],
            ['Duration', formatDuration(a.responseDurationMs)],
            ['Response status', a.responseStatusCode === 0 ? 'No response (see the body for the reason)' : String(a.responseStatusCode)],
            ['Trigger', a.triggerType === 1 ? 'Manual (resend)' : 'Scheduled'],
          ]}
        />
        <h3>Response body</h3>
        <JsonView text={a.response} label="Response body" />
        <p className="hint">The first 20 KB of the response are kept.</p>
      </div>
      <div className="card">
        <h3>Request headers</h3>
        {sent.error && <ErrorMessage error={sent.error} onRetry={sent.reload} />}
        {sent.data ? (
          sent.data.headers ? (
            <HeaderTable headers={sent.data.headers} withheld={sent.data.sensitive} testId="attempt-request-headers" />
          ) : (
            <p className="muted">Nothing was sent, or the attempt was made before Herald recorded request headers.</p>
          )
        ) : (
          !sent.error && <Spinner />
        )}
        <div className="section-head">
          <h3>Request body</h3>
          {body.data !== undefined && <CopyButton text={body.data} label="Copy body" />}
        </div>
        <p className="muted small">
          The exact bytes that were signed and sent, as every attempt sends them: paste them into <code>herald verify</code> with the
          request headers above.
        </p>
        {body.error && <ErrorMessage error={body.error} />}
        {body.data !== undefined ? (
          <pre className="code-block" aria-label="Request body" data-testid="signed-body">
            {body.data}
          </pre>
        ) : (
          !body.error && <Spinner />
        )}
      </div>
    </div>
  );
}
