import { useState, type FormEvent } from 'react';
import type { BulkReplayIn } from '@herald/wire';
import type { EndpointRef } from '../api/client';
import { toLocalInput } from '../lib/local-time';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';
import { ErrorMessage } from './common';
import { TaskProgress } from './TaskProgress';

type Mode = 'recover' | 'replay-missing' | 'bulk-replay';

const MODES: [Mode, string, string][] = [
  ['recover', 'Recover failed', 'Send again every message whose delivery to this endpoint failed.'],
  ['replay-missing', 'Replay missing', 'Send the messages this endpoint never got (created before it, or filtered out then).'],
  ['bulk-replay', 'Bulk replay', 'Send matching messages again, delivered ones too.'],
];


/** recover, replay-missing or bulk-replay from a time on, then the background task's progress. */
export function RecoverPanel({ endpoint }: { endpoint: EndpointRef }) {
  const { api } = useSession();
  const [mode, setMode] = useState<Mode>('recover');
  const [since, setSince] = useState(() => toLocalInput(Date.now() - 24 * 3600_000));
  const [status, setStatus] = useState('');
  const [eventType, setEventType] = useState('');
  const [taskId, setTaskId] = useState<string | null>(null);
  const start = useAction((m: Mode, body: BulkReplayIn) => api.call(`POST /api/v1/app/:app_id/endpoint/:endpoint_id/${m}`, { params: endpoint, body }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const when = new Date(since);
    const body: BulkReplayIn = { since: Number.isNaN(when.getTime()) ? since : when.toISOString() };
    if (mode === 'bulk-replay') {
      if (status !== '') body.status = Number(status);
      if (eventType.trim()) body.eventTypes = eventType.split(',').map((s) => s.trim()).filter(Boolean);
    }
    setTaskId(null);
    const task = await start.run(mode, body);
    if (task) setTaskId(task.id);
  }

  return (
    <section className="card" aria-label="Recover or replay">
      <h3>Recover / replay</h3>
      <form onSubmit={submit}>
        <div className="mode-choice" role="radiogroup" aria-label="What to send">
          {MODES.map(([value, label, hint]) => (
            <label key={value} className="check mode" title={hint}>
              <input type="radio" name="recover-mode" value={value} checked={mode === value} onChange={() => setMode(value)} /> {label}
            </label>
          ))}
        </div>
        <p className="muted small">{MODES.find(([m]) => m === mode)?.[2]}</p>
        <div className="filter">
          <label className="check">
            Since <input type="datetime-local" aria-label="Since" required value={since} onChange={(e) => setSince(e.target.value)} />
          </label>
          {mode === 'bulk-replay' && (
            <>
              <select aria-label="Delivery status" value={status} onChange={(e) => setStatus(e.target.value)}>
                <option value="">Any status</option>
                <option value="0">Succeeded</option>
                <option value="2">Failed</option>
              </select>
              <input aria-label="Event types to replay" placeholder="Event types (comma-separated; empty: all)" value={eventType} onChange={(e) => setEventType(e.target.value)} />
            </>
          )}
          <button type="submit" className="button button-primary" disabled={start.busy}>
            {start.busy ? 'Starting…' : 'Start'}
          </button>
        </div>
      </form>
      {start.error && <ErrorMessage error={start.error} />}
      {taskId && <TaskProgress key={taskId} taskId={taskId} />}
    </section>
  );
}
