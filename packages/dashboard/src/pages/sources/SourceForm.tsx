import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import type { SourceIn, SourceOut, SourcePatch } from '@herald/wire';
import { ErrorMessage, FormActions } from '../../components/common';
import { FormField } from '../../components/FormField';
import { useSession } from '../../lib/session-context';
import { useAction } from '../../lib/useApi';
import { VerificationFields } from './VerificationFields';
import { newVerification, verificationBody, verificationEdit, verificationState } from './verification';

/** The body fields this form shows the API's 422 messages for; a message about any other goes above the buttons. */
const SHOWN = new Set(['name', 'uid', 'inspect', 'dedupeWindow', 'signForwarded', 'response', 'verification']);

/**
 * Creates a source (POST) or, given one, changes it (PATCH). A 422 about a field is shown next to it. The secret is
 * write-only: the API never shows it, so on an edit its field starts empty and empty means "keep it".
 */
export function SourceForm({ source, onSaved, onCancel }: { source?: SourceOut; onSaved: (s: SourceOut) => void; onCancel: () => void }) {
  const { api } = useSession();
  const editing = source !== undefined;
  const [name, setName] = useState(source?.name ?? '');
  const [uid, setUid] = useState(source?.uid ?? '');
  const [inspect, setInspect] = useState(source?.inspect ?? false);
  const [initial] = useState(() => (source ? verificationState(source.verification) : newVerification()));
  const [verification, setVerification] = useState(initial);
  const [status, setStatus] = useState(String(source?.response.status ?? 200));
  const [contentType, setContentType] = useState(source?.response.contentType ?? '');
  const [body, setBody] = useState(source?.response.body ?? '');
  const [dedupe, setDedupe] = useState(source ? String(source.dedupeWindow) : '');
  const [signForwarded, setSignForwarded] = useState(source?.signForwarded ?? false);
  const [secretNote, setSecretNote] = useState<string | null>(null);
  const save = useAction((b: SourceIn | SourcePatch) => (source
    ? api.call('PATCH /api/v1/source/:source_id', { params: { source_id: source.id }, body: b })
    // Creating, the form gives every field a new source needs (name and verification).
    : api.call('POST /api/v1/source', { body: b as SourceIn })));

  const apiError = save.error instanceof ApiError ? save.error : null;
  const at = (...path: string[]) => apiError?.at(...path) ?? [];
  const otherError = save.error && !(apiError && apiError.fields.length > 0 && apiError.fields.every((f) => SHOWN.has(f.loc[1] ?? '')));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSecretNote(null);
    const settings = {
      name: name.trim(),
      inspect,
      signForwarded,
      response: { status: Number(status), body: body === '' ? null : body, contentType: contentType.trim() || null },
      ...(dedupe.trim() ? { dedupeWindow: Number(dedupe) } : {}),
    };
    if (!editing) {
      const made = await save.run({ ...settings, ...(uid.trim() ? { uid: uid.trim() } : {}), verification: verificationBody(verification) });
      if (made) onSaved(made);
      return;
    }
    const change = verificationEdit(initial, verification);
    if ('needsSecret' in change) {
      setSecretNote(`Type the ${change.needsSecret} again to change the verification: it is replaced whole, and Herald never shows the stored one.`);
      return;
    }
    const saved = await save.run({ ...settings, uid: uid.trim() || null, ...('send' in change ? { verification: change.send } : {}) });
    if (saved) onSaved(saved);
  }

  return (
    <form className="card form" onSubmit={submit} aria-label={editing ? 'Edit source' : 'New source'}>
      <h2>{editing ? 'Edit source' : 'New inbound source'}</h2>
      <FormField
        label="Name"
        errors={at('name')}
        control={(p) => <input {...p} name="name" required maxLength={256} placeholder="GitHub: acme/api" value={name} onChange={(e) => setName(e.target.value)} />}
      />
      <FormField
        label="UID (optional)"
        hint={editing
          ? 'Changing it changes the ingest URL: the provider must be given the new one.'
          : 'Gives a readable ingest URL (/in/github) and names its application source-<uid>. Empty: /in/src_….'}
        errors={at('uid')}
        control={(p) => <input {...p} name="uid" placeholder="github" value={uid} onChange={(e) => setUid(e.target.value)} />}
      />
      <FormField
        label="Mode"
        errors={at('inspect')}
        control={(p) => (
          <select {...p} name="inspect" value={inspect ? 'inspect' : 'forward'} onChange={(e) => setInspect(e.target.value === 'inspect')}>
            <option value="forward">Forward: verify, store, and send to the destinations</option>
            <option value="inspect">Inspect: store every request, forward nothing</option>
          </select>
        )}
      />
      <VerificationFields
        value={verification}
        onChange={(v) => {
          setVerification(v);
          setSecretNote(null);
        }}
        storedType={source ? initial.type : null}
        error={apiError}
        secretNote={secretNote}
      />
      <fieldset className="form-group">
        <legend>Answer to the provider</legend>
        <FormField
          label="Status"
          errors={[...at('response'), ...at('response', 'status')]}
          control={(p) => <input {...p} name="responseStatus" type="number" required min={200} max={299} value={status} onChange={(e) => setStatus(e.target.value)} />}
        />
        <FormField
          label="Content type"
          errors={at('response', 'contentType')}
          control={(p) => <input {...p} name="responseContentType" placeholder="application/json" value={contentType} onChange={(e) => setContentType(e.target.value)} />}
        />
        <FormField
          label="Body"
          hint="Sent once a request is stored: your services’ answers never reach the provider."
          errors={at('response', 'body')}
          control={(p) => <textarea {...p} name="responseBody" className="mono" rows={3} placeholder="Empty" value={body} onChange={(e) => setBody(e.target.value)} />}
        />
      </fieldset>
      <fieldset className="form-group">
        <legend>Forwarding</legend>
        <FormField
          label="De-duplication window (seconds)"
          hint="A request with the delivery id of one accepted within this window is stored as a duplicate and not forwarded. 0: off."
          errors={at('dedupeWindow')}
          control={(p) => (
            <input {...p} name="dedupeWindow" type="number" min={0} placeholder="86400 (24 h, the default)" value={dedupe} onChange={(e) => setDedupe(e.target.value)} />
          )}
        />
        <label className="check form-field-check">
          <input type="checkbox" name="signForwarded" checked={signForwarded} onChange={(e) => setSignForwarded(e.target.checked)} />
          Sign forwarded requests (Standard Webhooks headers, with each destination’s own secret)
        </label>
        {at('signForwarded').map((m) => (
          <div key={m} className="field-error">
            {m}
          </div>
        ))}
      </fieldset>
      {otherError && <ErrorMessage error={save.error} />}
      <FormActions
        label={editing ? 'Save changes' : 'Create source'}
        busyLabel={editing ? 'Saving…' : 'Creating…'}
        busy={save.busy}
        onCancel={onCancel}
      />
    </form>
  );
}
