import { canWrite, isAdmin, singleApp, useSession } from '../lib/session-context';
import { useApi } from '../lib/useApi';

const SCOPE_LABEL = { admin: 'Admin', 'read-only': 'Read-only', app: 'Application' } as const;

/** The operator's bar (who is signed in, sign-out), or in the portal the application's name. */
export function Header() {
  const { me, portal, signOut, api } = useSession();
  const appId = singleApp(me);
  const app = useApi(portal && appId ? `header:${appId}` : null, (signal) => api.call('GET /api/v1/app/:app_id', { params: { app_id: appId! }, signal }));
  const readOnly = !canWrite(me);

  if (portal) {
    return (
      <header className="topbar topbar-portal">
        <a className="brand" href="#/">
          <span className="brand-mark" aria-hidden="true" />
          {app.data?.name ?? 'Webhooks'}
        </a>
        <span className="topbar-sub">Webhook endpoints and deliveries</span>
        <span className="spacer" />
        {readOnly && <span className="badge badge-muted">Read-only</span>}
      </header>
    );
  }
  return (
    <header className="topbar">
      <a className="brand" href="#/">
        <span className="brand-mark" aria-hidden="true" />
        Herald
      </a>
      {!appId && (
        <nav className="topnav">
          <a href="#/apps">Applications</a>
          <a href="#/event-types">Event types</a>
          <a href="#/sources">Sources</a>
          {isAdmin(me) && (
            <>
              <a href="#/tokens">Tokens</a>
              <a href="#/audit">Audit</a>
            </>
          )}
        </nav>
      )}
      <span className="spacer" />
      <span className="whoami" data-testid="whoami">
        {/* The server's own token has no id and is named "admin": "admin Admin" said nothing. */}
        <span className="whoami-name">{me.tokenId === null ? 'Admin token' : me.name}</span>
        {me.tokenId !== null && <span className="badge badge-muted">{SCOPE_LABEL[me.scope]}</span>}
        {readOnly && me.scope !== 'read-only' && <span className="badge badge-muted">Read-only</span>}
      </span>
      <button type="button" className="button button-small" onClick={signOut}>
        Sign out
      </button>
    </header>
  );
}
