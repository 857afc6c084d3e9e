import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { SourceOut, SourceReplayOut } from '@herald/wire';
import { ErrorMessage } from '../../components/common';
import { fromLocalInput, toLocalInput } from '../../lib/local-time';
import { href } from '../../lib/router';
import { useSession } from '../../lib/session-context';

interface Run {
  state: 'running' | 'done' | 'stopped' | 'failed';
  replayed: number;
  calls: number;
  error?: unknown;
}

/**
 * Sends the requests accepted in a time range to the destinations again, each as a new message. The API replays at
 * most 500 per call and answers where to go on, so this calls it until done, counting, and can stop between calls.
 */
export function ReplayRange({ source }: { source: SourceOut }) {
  const { api } = useSession();
  const [since, setSince] = useState(() => toLocalInput(Date.now() - 24 * 3600_000));
  const [until, setUntil] = useState('');
  const [run, setRun] = useState<Run | null>(null);
  // Read between calls: Stop (or leaving the page) ends the loop before its next call.
  const stop = useRef(false);
  useEffect(
    () => () => {
      stop.current = true;
    },
    [],
  );

  async function submit(e: FormEvent) {
    e.preventDefault();
    stop.current = false;
    // A time the browser could not read goes as typed: the server's 422 says what is wrong with it.
    const body = { since: fromLocalInput(since) ?? since, ...(until ? { until: fromLocalInput(until) ?? until } : {}) };
    let iterator: string | null = null;
    let replayed = 0;
    let calls = 0;
    setRun({ state: 'running', replayed, calls });
    try {
      for (;;) {
        const page: SourceReplayOut = await api.call('POST /api/v1/source/:source_id/replay', { params: { source_id: source.id }, body: { ...body, iterator } });
        replayed += page.replayed;
        calls += 1;
        iterator = page.iterator;
        if (page.done) return setRun({ state: 'done', replayed, calls });
        if (stop.current) return setRun({ state: 'stopped', replayed, calls });
        setRun({ state: 'running', replayed, calls });
      }
    } catch (error) {
      setRun({ state: 'failed', replayed, calls, error });
    }
  }

  const running = run?.state === 'running';
  return (
    <section className="card" aria-label="Replay a time range">
      <h3>Replay a time range</h3>
      <p className="muted small">
        Sends every request accepted between the two times to the destinations again, each as a new message (rejected and
        duplicate requests are never sent). Destinations added since then receive them too.
      </p>
      <form className="filter" onSubmit={submit}>
        <label className="filter-time">
          From <input type="datetime-local" aria-label="From" required value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <label className="filter-time">
          to <input type="datetime-local" aria-label="To" value={until} onChange={(e) => setUntil(e.target.value)} />
        </label>
        <button type="submit" className="button button-primary" disabled={running}>
          {running ? 'Replaying…' : 'Replay accepted requests'}
        </button>
        {running && (
          <button type="button" className="button" onClick={() => (stop.current = true)}>
            Stop
          </button>
        )}
      </form>
      <p className="hint">Empty “to”: up to now.</p>
      {run && <ReplayProgress run={run} appId={source.appId} />}
    </section>
  );
}

function ReplayProgress({ run, appId }: { run: Run; appId: string }) {
  const n = `${run.replayed} request${run.replayed === 1 ? '' : 's'}`;
  const text = {
    running: `Replaying… ${n} so far (page ${run.calls + 1}).`,
    done: run.replayed === 0 ? 'No accepted requests in this range: nothing was replayed.' : `Replayed ${n}, each as a new message.`,
    stopped: `Stopped after ${n}.`,
    failed: `Stopped by an error after ${n}.`,
  }[run.state];
  const tone = run.state === 'done' ? 'badge-ok' : run.state === 'failed' ? 'badge-bad' : 'badge-wait';
  return (
    <div className="task" data-testid="replay-progress" data-state={run.state}>
      <div className="row">
        <span className={`badge ${tone}`}>{run.state}</span>
        <span data-testid="replay-count">{text}</span>
        {run.replayed > 0 && run.state !== 'running' && <a href={href('apps', appId, 'messages')}>Forwarded messages →</a>}
      </div>
      {run.state === 'failed' && <ErrorMessage error={run.error} />}
    </div>
  );
}
