import { useEffect, useState } from 'react';
import { routeTarget, type EndpointHeadersOut } from '@herald/wire';
import type { EndpointRef } from '../api/client';
import { useSession } from '../lib/session-context';
import { useAction, useApi } from '../lib/useApi';
import { ErrorMessage, Notice, Spinner } from './common';

/** A header being edited; a sensitive one's value is not known (the API never shows it) until a new one is typed. */
interface Row {
  key: number;
  name: string;
  value: string;
  /** Sensitive and unchanged: its stored value is kept. */
  hidden: boolean;
}

let nextKey = 1;
const rowsOf = (h: EndpointHeadersOut): Row[] => [
  ...Object.entries(h.headers).map(([name, value]) => ({ key: nextKey++, name, value, hidden: false })),
  ...h.sensitive.map((name) => ({ key: nextKey++, name, value: '', hidden: true })),
];

/**
 * The endpoint's custom headers, sent with every delivery. Saved with PUT (the whole set); when a sensitive header
 * whose value is hidden is kept, with PATCH instead (changes and removals only), so its stored value survives.
 */
export function HeadersEditor({ endpoint, writable }: { endpoint: EndpointRef; writable: boolean }) {
  const { api } = useSession();
  const path = routeTarget('GET /api/v1/app/:app_id/endpoint/:endpoint_id/headers', endpoint).path;
  const loaded = useApi(`headers:${path}`, (signal) => api.call('GET /api/v1/app/:app_id/endpoint/:endpoint_id/headers', { params: endpoint, signal }));
  const [rows, setRows] = useState<Row[] | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (loaded.data) setRows(rowsOf(loaded.data));
  }, [loaded.data]);

  const save = useAction(async (next: Row[]) => {
    const named = next.filter((r) => r.name.trim());
    const set = Object.fromEntries(named.filter((r) => !r.hidden).map((r) => [r.name.trim(), r.value]));
    if (named.some((r) => r.hidden)) {
      const kept = new Set(named.map((r) => r.name.trim().toLowerCase()));
      const removed = [...Object.keys(loaded.data?.headers ?? {}), ...(loaded.data?.sensitive ?? [])].filter((n) => !kept.has(n.toLowerCase()));
      await api.call('PATCH /api/v1/app/:app_id/endpoint/:endpoint_id/headers', { params: endpoint, body: { headers: set, deleteHeaders: removed } });
    } else {
      await api.call('PUT /api/v1/app/:app_id/endpoint/:endpoint_id/headers', { params: endpoint, body: { headers: set } });
    }
    return true;
  });

  if (loaded.error) return <ErrorMessage error={loaded.error} onRetry={loaded.reload} />;
  if (!rows) return <Spinner />;

  const update = (key: number, change: Partial<Row>) => {
    setSaved(false);
    setRows(rows.map((r) => (r.key === key ? { ...r, ...change } : r)));
  };
  const submit = async () => {
    if (await save.run(rows)) {
      setSaved(true);
      loaded.reload();
    }
  };

  return (
    <section className="card" aria-label="Custom headers">
      <h3>Custom headers</h3>
      <p className="muted small">Sent with every delivery to this endpoint. Values of credentials are never shown again.</p>
      {rows.length === 0 && <p className="muted">No custom headers.</p>}
      {rows.length > 0 && (
        <div className="header-rows" data-testid="header-rows">
          {rows.map((r) => (
            <div key={r.key} className="header-row">
              <input aria-label="Header name" className="mono" placeholder="X-Header-Name" value={r.name} disabled={!writable || r.hidden} onChange={(e) => update(r.key, { name: e.target.value })} />
              <input
                aria-label={`Value of ${r.name || 'the header'}`}
                className="mono grow"
                placeholder={r.hidden ? '•••••• (hidden; type to replace)' : 'value'}
                value={r.value}
                disabled={!writable}
                onChange={(e) => update(r.key, { value: e.target.value, hidden: r.hidden && e.target.value === '' })}
              />
              {writable && (
                <button type="button" className="button button-small" aria-label={`Remove ${r.name || 'header'}`} onClick={() => { setSaved(false); setRows(rows.filter((x) => x.key !== r.key)); }}>
                  Remove
                </button>
              )}
            </div>
          ))}
        </div>
      )}
      {writable && (
        <div className="row">
          <button type="button" className="button" onClick={() => { setSaved(false); setRows([...rows, { key: nextKey++, name: '', value: '', hidden: false }]); }}>
            Add header
          </button>
          <button type="button" className="button button-primary" disabled={save.busy} onClick={submit}>
            {save.busy ? 'Saving…' : 'Save headers'}
          </button>
        </div>
      )}
      {saved && <Notice tone="success">Headers saved.</Notice>}
      {save.error && <ErrorMessage error={save.error} />}
    </section>
  );
}
