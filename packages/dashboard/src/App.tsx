import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiClient, ApiError } from './api/client';
import type { WhoAmIOut } from '@herald/wire';
import { Spinner } from './components/common';
import { Header } from './components/Header';
import { errorText } from './lib/format';
import { storedToken, storeToken } from './lib/session';
import { SessionContext, type Session } from './lib/session-context';
import { Routes } from './Routes';
import { PortalUnavailable } from './pages/PortalUnavailable';
import { SignIn } from './pages/SignIn';

type State =
  | { kind: 'checking'; token: string }
  | { kind: 'signed-out'; message?: string }
  | { kind: 'signed-in'; token: string; me: WhoAmIOut };

/**
 * Signs in with a token (the operator's, typed in; or a portal link's, from the address) and checks it with
 * /auth/me before showing anything. A token that stops working (expired, revoked) signs the user out.
 */
export function App({ portal }: { portal: boolean }) {
  const [state, setState] = useState<State>(() => {
    const token = storedToken(portal);
    return token ? { kind: 'checking', token } : { kind: 'signed-out' };
  });

  const signOut = useCallback(
    (message?: string) => {
      storeToken(portal, null);
      setState({ kind: 'signed-out', message });
    },
    [portal],
  );

  // A stored token (a reload, or a portal link just opened) is checked once.
  const checking = state.kind === 'checking' ? state.token : null;
  useEffect(() => {
    if (checking === null) return;
    let live = true;
    new ApiClient(checking).me().then(
      (me) => live && setState({ kind: 'signed-in', token: checking, me }),
      (e: unknown) => {
        if (!live) return;
        const expired = e instanceof ApiError && e.status === 401;
        if (expired) storeToken(portal, null);
        setState({ kind: 'signed-out', message: expired ? 'Your session has expired or the token was revoked.' : errorText(e) });
      },
    );
    return () => {
      live = false;
    };
  }, [checking, portal]);

  const session = useMemo<Session | null>(() => {
    if (state.kind !== 'signed-in') return null;
    const api = new ApiClient(state.token, () => signOut('Your session has expired or the token was revoked.'));
    return { api, me: state.me, portal, signOut: () => signOut() };
  }, [state, portal, signOut]);

  if (state.kind === 'checking') return <Spinner label="Signing in…" />;
  if (!session) {
    if (portal) return <PortalUnavailable message={state.kind === 'signed-out' ? state.message : undefined} />;
    return (
      <SignIn
        message={state.kind === 'signed-out' ? state.message : undefined}
        onSignedIn={(token, me) => {
          storeToken(false, token);
          setState({ kind: 'signed-in', token, me });
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <div className={portal ? 'shell shell-portal' : 'shell'}>
        <Header />
        <main className="content">
          <Routes />
        </main>
      </div>
    </SessionContext.Provider>
  );
}
