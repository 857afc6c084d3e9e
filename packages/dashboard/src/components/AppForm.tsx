import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import type { ApplicationOut } from '@herald/wire';
import { parseJsonObject } from '../lib/json-input';
import { ErrorMessage, FormActions } from './common';
import { FormField } from './FormField';

/** What the form sends: the API's ApplicationIn (POST) or ApplicationPatch (PATCH) body. */
export interface AppBody {
  name: string;
  uid: string | null;
  throttleRate: number | null;
  metadata: Record<string, string>;
}

/** Metadata as typed: a JSON object of strings; empty is none. */
function parseMetadata(text: string): { value: Record<string, string> } | { error: string } {
  const parsed = parseJsonObject(text);
  if ('error' in parsed) return { error: `Metadata ${parsed.error}` };
  const value = parsed.value ?? {};
  if (Object.values(value).some((v) => typeof v !== 'string')) return { error: 'Metadata values must be strings' };
  return { value: value as Record<string, string> };
}

/**
 * An application's settings, for creating one or changing it: name, uid (what the API and SDKs may address it by),
 * the rate limit over all its endpoints, and metadata. Field errors from the API show under their fields.
 */
export function AppForm({ initial, title, submitLabel, busyLabel, busy, error, onSubmit, onCancel }: {
  initial?: ApplicationOut;
  title: string;
  submitLabel: string;
  busyLabel: string;
  busy: boolean;
  error: Error | undefined;
  onSubmit: (body: AppBody) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(initial?.name ?? '');
  const [uid, setUid] = useState(initial?.uid ?? '');
  const [throttle, setThrottle] = useState(initial?.throttleRate ? String(initial.throttleRate) : '');
  const [metadata, setMetadata] = useState(initial && Object.keys(initial.metadata).length > 0 ? JSON.stringify(initial.metadata, null, 2) : '');
  const parsed = parseMetadata(metadata);
  const api = error instanceof ApiError ? error : null;
  const fieldErrors = { name: api?.about('name') ?? [], uid: api?.about('uid') ?? [], throttleRate: api?.about('throttleRate') ?? [], metadata: api?.about('metadata') ?? [] };
  const shownByField = Object.values(fieldErrors).some((list) => list.length > 0);

  function submit(e: FormEvent) {
    e.preventDefault();
    if ('error' in parsed) return;
    onSubmit({ name: name.trim(), uid: uid.trim() || null, throttleRate: throttle ? Number(throttle) : null, metadata: parsed.value });
  }

  return (
    <form className="card form" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <FormField label="Name" errors={fieldErrors.name} control={(p) => <input {...p} required maxLength={256} placeholder="Acme Corp" value={name} onChange={(e) => setName(e.target.value)} />} />
      <FormField
        label="UID"
        hint="Optional: your own id for it (letters, digits, - _ .), usable wherever the API takes the application id."
        errors={fieldErrors.uid}
        control={(p) => <input {...p} className="mono" placeholder="acme" value={uid} onChange={(e) => setUid(e.target.value)} />}
      />
      <FormField
        label="Rate limit (messages per second)"
        hint="Over all its endpoints together; empty for none."
        errors={fieldErrors.throttleRate}
        control={(p) => <input {...p} type="number" min={1} className="input-short" value={throttle} onChange={(e) => setThrottle(e.target.value)} />}
      />
      <FormField
        label="Metadata"
        hint='A JSON object of strings, e.g. {"plan": "pro"}.'
        errors={'error' in parsed ? [parsed.error, ...fieldErrors.metadata] : fieldErrors.metadata}
        control={(p) => <textarea {...p} className="mono" rows={3} spellCheck={false} value={metadata} onChange={(e) => setMetadata(e.target.value)} />}
      />
      {error && !shownByField && <ErrorMessage error={error} />}
      <FormActions label={submitLabel} busyLabel={busyLabel} busy={busy} disabled={'error' in parsed} onCancel={onCancel} />
    </form>
  );
}
