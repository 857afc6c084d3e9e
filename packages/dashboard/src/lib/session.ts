/**
 * Where tokens live: sessionStorage (gone when the tab closes), never localStorage. The operator's token and a
 * portal link's token are kept apart, so opening a portal link does not sign the operator out. Storage can be
 * unavailable (a sandboxed iframe): the token then lives in memory for this page only.
 */
const OPERATOR_KEY = 'herald.token';
const PORTAL_KEY = 'herald.portalToken';
const memory = new Map<string, string>();

function read(key: string): string | null {
  try {
    return window.sessionStorage.getItem(key);
  } catch {
    return memory.get(key) ?? null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) window.sessionStorage.removeItem(key);
    else window.sessionStorage.setItem(key, value);
  } catch {
    if (value === null) memory.delete(key);
    else memory.set(key, value);
  }
}

/** The portal is the same app opened at /ui/portal. */
export function isPortalPath(): boolean {
  return /\/ui\/portal\/?$/.test(window.location.pathname);
}

/**
 * A portal link carries its token in the fragment (`#token=…`): taken out of the address bar at once, so it is not
 * left in the history, a bookmark or a screenshot, and kept for reloads of this tab.
 */
export function takePortalTokenFromUrl(): void {
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const token = fragment.get('token');
  if (!token) return;
  write(PORTAL_KEY, token);
  window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}#/`);
}

const keyFor = (portal: boolean) => (portal ? PORTAL_KEY : OPERATOR_KEY);

export const storedToken = (portal: boolean): string | null => read(keyFor(portal));
export const storeToken = (portal: boolean, token: string | null): void => write(keyFor(portal), token);
