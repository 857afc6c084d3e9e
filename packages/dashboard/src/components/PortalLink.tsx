import type { PortalAccessOut } from '@herald/wire';
import { useState } from 'react';
import { useAction } from '../lib/useApi';
import { useSession } from '../lib/session-context';
import { CopyButton, ErrorMessage } from './common';

/** Makes a consumer portal link for one application (admin only): the application's owner opens it, or embeds it. */
export function PortalLink({ appId }: { appId: string }) {
  const { api } = useSession();
  const [open, setOpen] = useState(false);
  const [readOnly, setReadOnly] = useState(false);
  const [link, setLink] = useState<PortalAccessOut | undefined>();
  const create = useAction(() => api.call('POST /api/v1/auth/app-portal-access/:app_id', { params: { app_id: appId }, body: { readOnly } }));

  if (!open) {
    return (
      <button type="button" className="button" onClick={() => setOpen(true)}>
        Portal link…
      </button>
    );
  }
  return (
    <div className="card portal-link">
      <div className="row">
        <strong>Consumer portal link</strong>
        <span className="spacer" />
        <button type="button" className="link-button" onClick={() => (setOpen(false), setLink(undefined))}>
          Close
        </button>
      </div>
      <p className="muted small">Shows this application only. Valid for 7 days; anyone with the link can use it.</p>
      <div className="row">
        <label className="check">
          <input type="checkbox" checked={readOnly} onChange={(e) => setReadOnly(e.target.checked)} /> Read-only
        </label>
        <button type="button" className="button button-primary button-small" disabled={create.busy} onClick={() => create.run().then((l) => l && setLink(l))}>
          Create link
        </button>
      </div>
      {create.error && <ErrorMessage error={create.error} />}
      {link && (
        <div className="row">
          <input className="mono grow" readOnly value={link.url} onFocus={(e) => e.target.select()} aria-label="Portal URL" />
          <CopyButton text={link.url} />
          <a className="button button-small" href={link.url} target="_blank" rel="noreferrer">
            Open
          </a>
        </div>
      )}
    </div>
  );
}
