import { useState } from 'react';
import type { TokenOut, TokenCreatedOut } from '@herald/wire';
import { ConfirmButton, ErrorMessage, Mono, Notice } from '../../components/common';
import { PagedTable } from '../../components/PagedTable';
import { TokenCreate, TokenCreated } from '../../components/TokenCreate';
import { formatTime, relativeTime } from '../../lib/format';
import { href, withQueryValues, type Route } from '../../lib/router';
import { useSession } from '../../lib/session-context';
import { useAction } from '../../lib/useApi';
import { usePage } from '../../lib/usePage';

const SCOPE = { admin: 'Admin', 'read-only': 'Read-only', app: 'Application' } as const;

/** #/tokens[?portal=1]: API tokens (or portal links), a form to issue one, and revoking. Admin tokens only. */
export function TokenList({ route }: { route: Route }) {
  const { api, me } = useSession();
  const portal = route.query.get('portal') === '1';
  const page = usePage('GET /api/v1/token', {}, route, { portal: portal || undefined });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<TokenCreatedOut | null>(null);
  const [revoked, setRevoked] = useState<string | null>(null);
  const revoke = useAction(async (t: TokenOut) => {
    await api.call('DELETE /api/v1/token/:token_id', { params: { token_id: t.id } });
    return t;
  });

  const doRevoke = async (t: TokenOut) => {
    setRevoked(null);
    const done = await revoke.run(t);
    if (done) {
      setRevoked(done.name);
      page.reload();
    }
  };

  return (
    <section>
      <div className="page-head">
        <h1>{portal ? 'Portal links' : 'API tokens'}</h1>
        <span className="spacer" />
        <div className="segmented" role="group" aria-label="Kind of token">
          <a className={portal ? 'segment' : 'segment segment-active'} aria-current={portal ? undefined : 'page'} href={withQueryValues(route, { portal: null, iterator: null })}>
            API tokens
          </a>
          <a className={portal ? 'segment segment-active' : 'segment'} aria-current={portal ? 'page' : undefined} href={withQueryValues(route, { portal: '1', iterator: null })}>
            Portal links
          </a>
        </div>
        <button type="button" className="button button-small" onClick={page.reload} disabled={page.loading}>
          Refresh
        </button>
        {!creating && (
          <button type="button" className="button button-small button-primary" onClick={() => { setCreating(true); setCreated(null); }}>
            New token
          </button>
        )}
      </div>
      <div className="stack">
        {creating && (
          <TokenCreate
            onCancel={() => setCreating(false)}
            onCreated={(t) => {
              setCreating(false);
              setCreated(t);
              page.reload();
            }}
          />
        )}
        {created && <TokenCreated token={created} onDone={() => setCreated(null)} />}
        {revoked && <Notice tone="success">Token “{revoked}” revoked: it no longer works.</Notice>}
        {revoke.error && <ErrorMessage error={revoke.error} />}
        <PagedTable
          page={page}
          route={route}
          testId="token-list"
          headers={['Name', 'Scope', 'Application', 'Access', 'Prefix', 'Expires', 'Last used', '']}
          empty={
            <p>
              {portal ? 'No portal links.' : 'No API tokens yet.'}{' '}
              <span className="muted">{portal ? 'Portal links are made from an application\'s page.' : 'Create one with New token.'}</span>
            </p>
          }
          row={(t) => (
            <tr key={t.id} data-token-id={t.id}>
              <td title={t.id}>{t.name}</td>
              <td>
                <span className="badge badge-muted">{SCOPE[t.scope]}</span>
              </td>
              <td className="small">{t.appId ? <a href={href('apps', t.appId, 'endpoints')}><Mono>{t.appId}</Mono></a> : <span className="muted">All</span>}</td>
              <td className="nowrap">{t.readOnly ? 'Read-only' : 'Read & write'}{t.rateLimit !== null && <div className="muted small">{t.rateLimit}/s</div>}</td>
              <td className="small">
                <Mono>{t.prefix}…</Mono>
              </td>
              <td className="nowrap">{t.expiresAt ? <Expiry iso={t.expiresAt} /> : <span className="muted">Never</span>}</td>
              <td className="nowrap" title={formatTime(t.lastUsedAt)}>
                {t.lastUsedAt ? relativeTime(t.lastUsedAt) : <span className="muted">Never</span>}
              </td>
              <td className="nowrap">
                {t.id === me.tokenId ? (
                  <span className="muted small">This session</span>
                ) : (
                  <ConfirmButton label="Revoke…" confirmLabel="Revoke now" onConfirm={() => doRevoke(t)} busy={revoke.busy} danger />
                )}
              </td>
            </tr>
          )}
        />
      </div>
    </section>
  );
}

function Expiry({ iso }: { iso: string }) {
  const expired = Date.parse(iso) <= Date.now();
  return (
    <span title={formatTime(iso)}>
      {expired ? <span className="badge badge-bad">Expired</span> : new Date(iso).toLocaleDateString()}
    </span>
  );
}
