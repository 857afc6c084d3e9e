import { useCallback, useEffect, useRef, useState } from 'react';
import { seg } from '../api/client';
import { followStream, type StreamState } from '../api/stream';
import type { LiveAttempt } from '../api/types';
import { useSession } from './session-context';

/** The newest this many attempts are kept; older ones drop off the end. */
export const LIVE_CAP = 200;
/** Attempts arriving together are shown together, at most this often (a busy application sends hundreds a second). */
const FLUSH_MS = 100;

/**
 * An application's attempts as they are made, newest first, from its attempt stream (optionally of one endpoint or
 * some event types). The stream follows the filters, reconnects when it drops, and ends when the component goes.
 */
export function useLiveAttempts(appId: string, endpointId: string | null, eventTypes: string | null) {
  const { api } = useSession();
  const [attempts, setAttempts] = useState<LiveAttempt[]>([]);
  const [state, setState] = useState<StreamState>({ kind: 'connecting' });
  const [received, setReceived] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    let pending: LiveAttempt[] = [];
    let timer = 0;
    const flush = () => {
      timer = 0;
      const batch = pending.reverse();
      pending = [];
      setReceived((n) => n + batch.length);
      setAttempts((shown) => [...batch, ...shown].slice(0, LIVE_CAP));
    };
    setAttempts([]);
    setReceived(0);
    const path = `/api/v1/app/${seg(appId)}/attempt/stream`;
    void followStream(
      (signal) => api.openStream(path, { endpoint_id: endpointId, event_types: eventTypes }, signal),
      {
        onState: (s) => !controller.signal.aborted && setState(s),
        onEvent: (e) => {
          if (e.event !== 'attempt' || controller.signal.aborted) return;
          try {
            pending.push(JSON.parse(e.data) as LiveAttempt);
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

/** A snapshot of a moving list while the reader looks at it: `frozen` until resumed, and how many came since. */
export function usePause<T>(live: T[], received: number) {
  const [paused, setPaused] = useState<{ rows: T[]; at: number } | null>(null);
  const receivedRef = useRef(received);
  receivedRef.current = received;
  const pause = useCallback(() => setPaused({ rows: live, at: receivedRef.current }), [live]);
  const resume = useCallback(() => setPaused(null), []);
  return { rows: paused ? paused.rows : live, paused: paused !== null, since: paused ? Math.max(0, received - paused.at) : 0, pause, resume };
}
