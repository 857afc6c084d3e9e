import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Fetches again, keeping what is shown until the answer arrives. */
  reload: () => void;
}

export interface LoadOptions {
  /** Fetch again every so many ms while the page is visible (false: never). */
  pollMs?: number | false;
  /** When the key changes, keep showing the previous key's data until the new one arrives (pages of one list). */
  keep?: boolean;
}

/**
 * Runs `load` when `key` changes, and again on reload() or every pollMs. An answer to an older request never
 * overwrites a newer one, and nothing is set after the component is gone.
 */
export function useApi<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>, options: LoadOptions = {}): Loaded<T> {
  const [state, setState] = useState<{ key: string | null; data?: T; error?: Error; loading: boolean }>({ key, loading: key !== null });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const keepRef = useRef(options.keep ?? false);
  keepRef.current = options.keep ?? false;

  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    setState((s) => (s.key === key || keepRef.current ? { ...s, key, error: undefined, loading: true } : { key, loading: true }));
    loadRef.current(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ key, data, loading: false }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState((s) => ({ key, data: s.key === key ? s.data : undefined, error: error instanceof Error ? error : new Error(String(error)), loading: false }));
      },
    );
    return () => controller.abort();
  }, [key, tick]);

  const { pollMs = false } = options;
  useEffect(() => {
    if (!pollMs || key === null) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, pollMs);
    return () => window.clearInterval(timer);
  }, [pollMs, key]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const current = state.key === key;
  return { data: current || options.keep ? state.data : undefined, error: current ? state.error : undefined, loading: key !== null && (!current || state.loading), reload };
}

/** Runs an action (a POST, PATCH…) with its own busy and error state. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setBusy(true);
      setError(undefined);
      try {
        return await action(...args);
      } catch (e) {
        if (mounted.current) setError(e instanceof Error ? e : new Error(String(e)));
        return undefined;
      } finally {
        if (mounted.current) setBusy(false);
      }
    },
    [action],
  );
  return { run, busy, error, clearError: () => setError(undefined) };
}
