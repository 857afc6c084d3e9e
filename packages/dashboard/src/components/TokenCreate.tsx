import { useState, type FormEvent } from 'react';
import type { Scope, TokenCreatedOut, TokenIn } from '@herald/wire';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';
import { ErrorMessage, FormActions } from './common';

const DAY_S = 86_400;

/** An admin issues an API token: a scope (an app token names its application), optionally read-only, expiring, rate-limited. */
export function TokenCreate({ onCreated, onCancel }: { onCreated: (t: TokenCreatedOut) => void; onCancel: () => void }) {
  const { api } = useSession();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('app');
  const [appId, setAppId] = useState('');
  const [readOnly, setReadOnly] = useState(false);
  const [expiresDays, setExpiresDays] = useState('');
  const [rateLimit, setRateLimit] = useState('');
  const create = useAction((body: TokenIn) => api.call('POST /api/v1/token', { body }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const made = await create.run({
      name: name.trim(),
      scope,
      appId: scope === 'app' ? appId.trim() : null,
      readOnly: scope === 'app' ? readOnly : scope === 'read-only',
      expiresIn: expiresDays ? Math.round(Number(expiresDays) * DAY_S) : null,
      rateLimit: rateLimit ? Number(rateLimit) : null,
    });
    if (made) onCreated(made);
  }

  return (
    <form className="card form" onSubmit={submit} aria-label="New token">
      <h2>New API token</h2>
      <label className="form-field">
        <span>Name</span>
        <input name="name" required maxLength={256} placeholder="billing-service" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="form-field">
        <span>Scope</span>
        <select name="scope" value={scope} onChange={(e) => setScope(e.target.value as Scope)}>
          <option value="app">Application: one application only</option>
          <option value="read-only">Read-only: read everything, change nothing</option>
          <option value="admin">Admin: everything, tokens included</option>
        </select>
      </label>
      {scope === 'app' && (
        <>
          <label className="form-field">
            <span>Application ID or UID</span>
            <input name="appId" required placeholder="app_… or your uid" value={appId} onChange={(e) => setAppId(e.target.value)} />
          </label>
          <label className="check form-field-check">
            <input type="checkbox" name="readOnly" checked={readOnly} onChange={(e) => setReadOnly(e.target.checked)} />
            Read-only
          </label>
        </>
      )}
      <label className="form-field">
        <span>Expires in (days)</span>
        <input name="expiresDays" type="number" min={1} max={3650} step={1} placeholder="Never" value={expiresDays} onChange={(e) => setExpiresDays(e.target.value)} />
      </label>
      <label className="form-field">
        <span>Rate limit (requests per second)</span>
        <input name="rateLimit" type="number" min={1} max={1_000_000} step={1} placeholder="The server's default" value={rateLimit} onChange={(e) => setRateLimit(e.target.value)} />
      </label>
      {create.error && <ErrorMessage error={create.error} />}
      <FormActions label="Create token" busyLabel="Creating…" busy={create.busy} onCancel={onCancel} />
    </form>
  );
}

/** The new token, shown this once: the server keeps only its hash. */
export function TokenCreated({ token, onDone }: { token: TokenCreatedOut; onDone: () => void }) {
  return (
    <section className="card" aria-label="New token created" data-testid="token-created">
      <h3>Token “{token.name}” created</h3>
      <div className="alert alert-info" role="status">
        <span>
          <strong>Copy it now: it is shown only now.</strong> Herald keeps only a hash of it and cannot show it again.
        </span>
      </div>
      <div className="row">
        <code className="secret mono grow" data-testid="new-token">
          {token.token}
        </code>
        <CopyToken text={token.token} />
        <button type="button" className="button" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}

/** Copy, also where the clipboard API is missing (plain http): then the text is selected for a manual copy. */
function CopyToken({ text }: { text: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone(true);
    } catch {
      const el = document.querySelector('[data-testid="new-token"]');
      if (el) window.getSelection()?.selectAllChildren(el);
    }
  };
  return (
    <button type="button" className="button" onClick={copy}>
      {done ? 'Copied' : 'Copy'}
    </button>
  );
}
