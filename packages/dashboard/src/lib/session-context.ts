import { createContext, useContext } from 'react';
import type { ApiClient } from '../api/client';
import type { Me } from '../api/types';

export interface Session {
  api: ApiClient;
  me: Me;
  /** Opened from a consumer portal link (/ui/portal). */
  portal: boolean;
  signOut: () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/** What a token may do, as the API will decide it: the UI only hides what would be refused anyway. */
export const canWrite = (me: Me): boolean => !me.readOnly && me.scope !== 'read-only';
/** The global read-only scope may not read endpoint secrets or headers. */
export const canReadSecrets = (me: Me): boolean => me.scope !== 'read-only';
/** Application tokens (and portal links) reach one application: no application list. */
export const singleApp = (me: Me): string | null => (me.scope === 'app' ? me.appId : null);
export const isAdmin = (me: Me): boolean => me.scope === 'admin';
