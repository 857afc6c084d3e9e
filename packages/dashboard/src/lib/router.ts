import { useEffect, useState } from 'react';

/**
 * Routing in the URL's fragment (`#/apps/app_1/messages?event_types=a`): the server serves one page, and the
 * fragment never reaches it. A route is its path segments and its query.
 */
export interface Route {
  segments: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path = '', qs = ''] = raw.split('?', 2);
  const segments = path.split('/').filter(Boolean).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return { segments, query: new URLSearchParams(qs) };
}

export function useRoute(): Route {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return parseHash(hash);
}

type QueryValues = Record<string, string | null | undefined>;

/** `href('apps', id, 'messages')` → `#/apps/{id}/messages`, with a query from the values that are set. */
export function href(...parts: (string | QueryValues)[]): string {
  const segments: string[] = [];
  const params = new URLSearchParams();
  for (const part of parts) {
    if (typeof part === 'string') segments.push(encodeURIComponent(part));
    else for (const [k, v] of Object.entries(part)) if (v) params.set(k, v);
  }
  const qs = params.toString();
  return `#/${segments.join('/')}${qs ? `?${qs}` : ''}`;
}

export function navigate(to: string, replace = false): void {
  if (replace) {
    window.history.replaceState(window.history.state, '', to);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = to;
  }
}

/** The current route with some query values changed (null removes one). */
export function withQueryValues(route: Route, values: QueryValues): string {
  const params = new URLSearchParams(route.query);
  for (const [k, v] of Object.entries(values)) {
    if (v) params.set(k, v);
    else params.delete(k);
  }
  const qs = params.toString();
  return `#/${route.segments.map(encodeURIComponent).join('/')}${qs ? `?${qs}` : ''}`;
}
