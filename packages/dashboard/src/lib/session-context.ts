import { createContext, useContext } from 'react';
import type { ApiClient } from '../api/client';
import type { WhoAmIOut } from '@herald/wire';

export interface Session {
  api: ApiClient;
  me: WhoAmIOut;
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
export const canWrite = (me: WhoAmIOut): boolean => !me.readOnly && me.scope !== 'read-only';
/** The global read-only scope may not read endpoint secrets or headers. */
export const canReadSecrets = (me: WhoAmIOut): boolean => me.scope !== 'read-only';
/** Application tokens (and portal links) reach one application: no application list. */
export const singleApp = (me: WhoAmIOut): string | null => (me.scope === 'app' ? me.appId : null);
export const isAdmin = (me: WhoAmIOut): boolean => me.scope === 'admin';
