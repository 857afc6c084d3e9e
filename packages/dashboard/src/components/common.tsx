import { useState, type ReactNode } from 'react';
import type { DeliveryStatus } from '@herald/wire';
import { ApiError } from '../api/client';
import { errorText, statusInfo } from '../lib/format';

export function StatusBadge({ status, label }: { status: DeliveryStatus; label?: string }) {
  const info = statusInfo(status);
  return <span className={`badge badge-${info.tone}`}>{label ?? info.label}</span>;
}

/** An HTTP status code, colored by class (0: no response). */
export function CodeBadge({ code }: { code: number }) {
  const tone = code === 0 ? 'bad' : code < 300 ? 'ok' : code < 400 ? 'wait' : 'bad';
  return <span className={`code code-${tone}`}>{code === 0 ? 'no response' : code}</span>;
}

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="spinner" role="status">
      <span className="spinner-dot" aria-hidden="true" />
      {label}
    </div>
  );
}

export function NotFound({ detail }: { detail?: string }) {
  return (
    <section className="empty-state" data-testid="not-found">
      <h2>Not found</h2>
      <p className="muted">{detail ?? 'There is nothing at this address.'}</p>
      <a className="button" href="#/">
        Go to the start
      </a>
    </section>
  );
}

export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (error instanceof ApiError && error.notFound) return <NotFound detail={error.message} />;
  return (
    <div className="alert alert-error" role="alert">
      <span>{errorText(error)}</span>
      {onRetry && (
        <button type="button" className="link-button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Notice({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'success' | 'error' }) {
  return (
    <div className={`alert alert-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** A definition list of a resource's fields. */
export function Fields({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="fields">
      {rows.map(([label, value]) => (
        <div key={label} className="field">
          <dt>{label}</dt>
          <dd>{value ?? '—'}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Mono({ children }: { children: ReactNode }) {
  return <code className="mono">{children}</code>;
}

export function CopyButton({ text, label = 'Copy', small = true }: { text: string; label?: string; small?: boolean }) {
  const [copied, setCopied] = useState(false);
  // The clipboard API exists only in secure contexts (https, localhost).
  if (!navigator.clipboard) return null;
  const copy = () =>
    navigator.clipboard.writeText(text).then(
      () => {
        setCopied(true);
        window.setTimeout(() => setCopied(false), 1500);
      },
      () => setCopied(false),
    );
  return (
    <button type="button" className={small ? 'button button-small' : 'button'} onClick={copy}>
      {copied ? 'Copied' : label}
    </button>
  );
}

/** A button asking for a second click before doing something that cannot be undone. */
export function ConfirmButton({ label, confirmLabel, onConfirm, busy, danger }: {
  label: string;
  confirmLabel: string;
  onConfirm: () => void;
  busy?: boolean;
  danger?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="button" disabled={busy} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm">
      <button
        type="button"
        className={danger ? 'button button-danger' : 'button button-primary'}
        disabled={busy}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

export function Chips({ items, empty }: { items: string[] | null | undefined; empty: string }) {
  if (!items || items.length === 0) return <span className="muted">{empty}</span>;
  return (
    <span className="chips">
      {items.map((item) => (
        <span key={item} className="chip">
          {item}
        </span>
      ))}
    </span>
  );
}

/** A form's Submit (saying so while busy) and Cancel buttons. */
export function FormActions({ label, busyLabel, busy, disabled = false, onCancel }: {
  label: string;
  busyLabel: string;
  busy: boolean;
  disabled?: boolean;
  onCancel: () => void;
}) {
  return (
    <div className="form-actions">
      <button type="submit" className="button button-primary" disabled={busy || disabled}>
        {busy ? busyLabel : label}
      </button>
      <button type="button" className="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
