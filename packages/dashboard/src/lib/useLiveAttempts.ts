import { useCallback, useEffect, useRef, useState } from 'react';
import type { AttemptStreamEvents, LiveAttemptOut } from '@herald/wire';
import { followStream, type StreamState } from '../api/stream';
import { useSession } from './session-context';

/** The newest this many attempts are kept; older ones drop off the end. */
export const LIVE_CAP = 200;
/** Attempts arriving together are shown together, at most this often (a busy application sends hundreds a second). */
const FLUSH_MS = 100;

/**
 * A time the stream was down. Attempts made then were never streamed, so the list says so where they would be, and
 * from when, in the server's time (its last word before the loss), so the attempt log can be read from there.
 */
export interface LiveGap {
  id: string;
  /** The server time of the last attempt or greeting received before the loss. */
  missedSince: string;
  reconnectedAt: number;
}
export type LiveRow = LiveAttemptOut | LiveGap;
export const isGap = (row: LiveRow): row is LiveGap => 'missedSince' in row;

/**
 * An application's attempts as they are made, newest first, from its attempt stream (optionally of one endpoint or
 * some event types). The stream follows the filters, reconnects when it drops, and ends when the component goes;
 * each reconnection leaves a gap row in the list.
 */
export function useLiveAttempts(appId: string, endpointId: string | null, eventTypes: string | null) {
  const { api } = useSession();
  const [attempts, setAttempts] = useState<LiveRow[]>([]);
  const [state, setState] = useState<StreamState>({ kind: 'connecting' });
  const [received, setReceived] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    let pending: LiveRow[] = [];
    let timer = 0;
    /** The server's time as last heard (greeting or attempt); set while connected. */
    let lastHeard: string | null = null;
    /** Set when a connection that had been open dropped: the server time from which attempts may be missing. */
    let lostSince: string | null = null;
    const flush = () => {
      window.clearTimeout(timer);
      timer = 0;
      const batch = pending.reverse();
      pending = [];
      setReceived((n) => n + batch.filter((row) => !isGap(row)).length);
      setAttempts((shown) => [...batch, ...shown].slice(0, LIVE_CAP));
    };
    setAttempts([]);
    setReceived(0);
    void followStream(
      (signal) => api.openStream('GET /api/v1/app/:app_id/attempt/stream', { app_id: appId }, { endpoint_id: endpointId, event_types: eventTypes }, signal),
      {
        onState: (s) => {
          if (controller.signal.aborted) return;
          if (s.kind !== 'open' && lastHeard !== null) {
            lostSince ??= lastHeard;
            lastHeard = null;
          }
          setState(s);
        },
        onEvent: (e) => {
          if (controller.signal.aborted) return;
          if (e.event === 'ready') {
            lastHeard = readyTime(e.data);
            if (lostSince !== null) {
              pending.push({ id: `gap-${Date.now()}`, missedSince: lostSince, reconnectedAt: Date.now() });
              lostSince = null;
              flush();
            }
            return;
          }
          if (e.event !== 'attempt') return;
          try {
            const attempt: AttemptStreamEvents['attempt'] = JSON.parse(e.data);
            pending.push(attempt);
            lastHeard = attempt.timestamp;
          } catch {
            return;
          }
          if (pending.length > LIVE_CAP) pending = pending.slice(-LIVE_CAP);
          if (!timer) timer = window.setTimeout(flush, FLUSH_MS);
        },
      },
      controller.signal,
    );
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [api, appId, endpointId, eventTypes]);

  const clear = useCallback(() => setAttempts([]), []);
  return { attempts, state, received, clear };
}

/** The server's time in its `ready` greeting; the browser's own clock should a greeting lack it. */
function readyTime(data: string): string {
  try {
    const ready: Partial<AttemptStreamEvents['ready']> = JSON.parse(data);
    const at = ready.at;
    if (typeof at === 'string') return at;
  } catch {
    // an unreadable greeting is treated like one without a time
  }
  return new Date().toISOString();
}

/** A snapshot of a moving list while the reader looks at it: `frozen` until resumed, and how many came since. */
export function usePause<T>(live: T[], received: number) {
  const [paused, setPaused] = useState<{ rows: T[]; at: number } | null>(null);
  const receivedRef = useRef(received);
  receivedRef.current = received;
  const pause = useCallback(() => setPaused({ rows: live, at: receivedRef.current }), [live]);
  const resume = useCallback(() => setPaused(null), []);
  return { rows: paused ? paused.rows : live, paused: paused !== null, since: paused ? Math.max(0, received - paused.at) : 0, pause, resume };
}
