import { useState } from 'react';
import { PagedTable } from '../../components/PagedTable';
import { Mono, Notice } from '../../components/common';
import { formatTime } from '../../lib/format';
import { href, navigate, type Route } from '../../lib/router';
import { canWrite, useSession } from '../../lib/session-context';
import { usePage } from '../../lib/usePage';
import { SourceForm } from './SourceForm';

/**
 * #/sources[?deleted=name]: the inbound sources (public ingest URLs that forward what providers send to an
 * application); a writing token can add one, whose page then opens.
 */
export function SourceList({ route }: { route: Route }) {
  const { me } = useSession();
  const page = usePage('GET /api/v1/source', {}, route);
  const [creating, setCreating] = useState(false);

  return (
    <section>
      <div className="page-head">
        <h1>Inbound sources</h1>
        <button type="button" className="button button-small" onClick={page.reload} disabled={page.loading}>
          Refresh
        </button>
        <span className="spacer" />
        {canWrite(me) && !creating && (
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            New source
          </button>
        )}
      </div>
      {route.query.get('deleted') && <Notice tone="success">Source “{route.query.get('deleted')}” deleted.</Notice>}
      {creating && (
        <div className="source-create">
          <SourceForm onCancel={() => setCreating(false)} onSaved={(s) => navigate(href('sources', s.id, { created: '1' }))} />
        </div>
      )}
      <PagedTable
        page={page}
        route={route}
        testId="source-list"
        headers={['Name', 'Ingest URL', 'Verification', 'Mode', 'Created']}
        empty={
          <>
            <p>No inbound sources yet.</p>
            <p className="muted">
              An admin creates one here, with <Mono>herald source create</Mono> or with <Mono>POST /api/v1/source</Mono>: it gets
              a public URL that verifies and forwards what a provider (Stripe, GitHub…) sends.
            </p>
          </>
        }
        row={(s) => (
          <tr key={s.id}>
            <td>
              <a href={href('sources', s.id)}>{s.name}</a>
              {s.uid && <div className="muted small mono">{s.uid}</div>}
            </td>
            <td>
              <Mono>{window.location.origin + s.ingestPath}</Mono>
            </td>
            <td>
              <Mono>{s.verification.type}</Mono>
            </td>
            <td>{s.inspect ? <span className="badge badge-wait">Inspect</span> : <span className="badge badge-ok">Forwarding</span>}</td>
            <td className="nowrap">{formatTime(s.createdAt)}</td>
          </tr>
        )}
      />
    </section>
  );
}
