import type { MessageAttemptOut } from '@herald/wire';
import { formatDuration, formatTime, relativeTime } from '../lib/format';
import { href } from '../lib/router';
import { CodeBadge, Mono, StatusBadge } from './common';

const snippet = (text: string) => (text.length > 80 ? `${text.slice(0, 80)}…` : text);

/** Attempts, newest first; each opens its detail. `showMessage` adds the message column (an endpoint's attempts). */
export function AttemptTable({ appId, attempts, showMessage }: { appId: string; attempts: MessageAttemptOut[]; showMessage?: boolean }) {
  return (
    <div className="table-wrap">
      <table className="list attempts" data-testid="attempt-list">
        <thead>
          <tr>
            <th>When</th>
            <th>Status</th>
            <th>Response</th>
            <th>Duration</th>
            {showMessage && <th>Message</th>}
            <th>Trigger</th>
            <th>Response body</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((a) => (
            <tr key={a.id} data-attempt-id={a.id}>
              <td className="nowrap">
                <a href={href('apps', appId, 'messages', a.msgId, 'attempts', a.id)} title={formatTime(a.timestamp)}>
                  {relativeTime(a.timestamp)}
                </a>
              </td>
              <td>
                <StatusBadge status={a.status} />
              </td>
              <td>
                <CodeBadge code={a.responseStatusCode} />
              </td>
              <td className="nowrap">{formatDuration(a.responseDurationMs)}</td>
              {showMessage && (
                <td>
                  <a href={href('apps', appId, 'messages', a.msgId)} className="mono">
                    {a.msgId}
                  </a>
                </td>
              )}
              <td>{a.triggerType === 1 ? 'Manual' : 'Scheduled'}</td>
              <td className="response-snippet">
                <Mono>{snippet(a.response)}</Mono>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
