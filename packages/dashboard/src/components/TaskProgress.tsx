import { useEffect, useState } from 'react';
import type { TaskOut } from '@herald/wire';
import { useSession } from '../lib/session-context';
import { useApi } from '../lib/useApi';
import { ErrorMessage } from './common';

const POLL_MS = 1000;
const TASK_LABEL: Record<string, string> = {
  'endpoint.recover': 'Recover failed messages',
  'endpoint.replay': 'Replay missing messages',
  'endpoint.bulk-replay': 'Bulk replay',
};

export const taskDone = (t: TaskOut | undefined) => t !== undefined && (t.status === 'finished' || t.status === 'failed');

/** A background task's progress, fetched every second until it has finished or failed. */
export function TaskProgress({ taskId, onDone }: { taskId: string; onDone?: (task: TaskOut) => void }) {
  const { api } = useSession();
  const [polling, setPolling] = useState(true);
  const task = useApi<TaskOut>(`task:${taskId}`, (signal) => api.call('GET /api/v1/background-task/:task_id', { params: { task_id: taskId }, signal }), { keep: true, pollMs: polling ? POLL_MS : false });
  const t = task.data;
  const done = taskDone(t);
  useEffect(() => {
    if (!done || !polling || !t) return;
    setPolling(false);
    onDone?.(t);
  }, [done, polling, t, onDone]);
  const d = t?.data;
  const total = d?.total ?? null;
  const processed = d?.processed ?? 0;
  const pct = done && t?.status === 'finished' ? 100 : total ? Math.min(100, Math.round((processed / total) * 100)) : 0;

  return (
    <div className="task" data-testid="task-progress" data-status={t?.status ?? 'loading'}>
      <div className="row">
        <strong>{t ? (TASK_LABEL[t.task] ?? t.task) : 'Starting…'}</strong>
        <span className={`badge ${t?.status === 'finished' ? 'badge-ok' : t?.status === 'failed' ? 'badge-bad' : 'badge-wait'}`} data-testid="task-status">
          {t?.status ?? 'starting'}
        </span>
        <span className="muted small mono">{taskId}</span>
      </div>
      <div className="progress" role="progressbar" aria-label="Task progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <div className={`progress-bar${t?.status === 'failed' ? ' progress-bar-bad' : ''}`} style={{ width: `${pct}%` }} />
      </div>
      <div className="muted small" data-testid="task-counts">
        {processed} of {total ?? '?'} messages processed · {d?.scheduled ?? 0} scheduled for delivery
      </div>
      {d?.error && <div className="alert alert-error">{d.error}</div>}
      {task.error && !t && <ErrorMessage error={task.error} />}
    </div>
  );
}
