import { useState, type FormEvent } from 'react';
import { ApiClient, ApiError } from '../api/client';
import type { WhoAmIOut } from '@herald/wire';
import { Notice } from '../components/common';
import { errorText } from '../lib/format';

/** Asks for an API token and checks it with /auth/me; nothing of the API is reachable without one. */
export function SignIn({ message, onSignedIn }: { message?: string; onSignedIn: (token: string, me: WhoAmIOut) => void }) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const value = token.trim();
    if (!value) return;
    setBusy(true);
    setError(undefined);
    try {
      const me = await new ApiClient(value).me();
      onSignedIn(value, me);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'This token is not valid (wrong, expired or revoked).' : errorText(err));
      setBusy(false);
    }
  }

  return (
    <div className="sign-in">
      <form className="card sign-in-card" onSubmit={submit}>
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Herald
        </div>
        <p className="muted">Sign in with an API token: the admin token, or one made with POST /api/v1/token.</p>
        {message && <Notice tone="info">{message}</Notice>}
        <label className="form-field">
          <span>API token</span>
          <input
            type="password"
            name="token"
            autoComplete="off"
            autoFocus
            value={token}
            onChange={(e) => setToken(e.target.value)}
            placeholder="herald_tok_…"
          />
        </label>
        {error && <Notice tone="error">{error}</Notice>}
        <button type="submit" className="button button-primary button-block" disabled={busy || !token.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint">The token is kept in this tab only, until you sign out or close it.</p>
      </form>
    </div>
  );
}
