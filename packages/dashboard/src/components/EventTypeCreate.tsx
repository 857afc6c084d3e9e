import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import type { EventTypeIn, EventTypeOut } from '@herald/wire';
import { parseJsonObject } from '../lib/json-input';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';
import { ErrorMessage, FormActions } from './common';

const SCHEMA_HINT = '{"type": "object", "properties": {"id": {"type": "string"}}, "examples": [{"id": "inv_1"}]}';

/** An admin adds an event type to the catalogue: a name, a description and (as version 1) a JSON Schema. */
export function EventTypeCreate({ onCreated, onCancel }: { onCreated: (t: EventTypeOut) => void; onCancel: () => void }) {
  const { api } = useSession();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [schema, setSchema] = useState('');
  const create = useAction((body: EventTypeIn) => api.call('POST /api/v1/event-type', { body }));
  const parsed = parseJsonObject(schema);
  const schemaError = 'error' in parsed ? parsed.error : null;
  const apiSchemaErrors = create.error instanceof ApiError ? create.error.about('schemas') : [];

  async function submit(e: FormEvent) {
    e.preventDefault();
    if ('error' in parsed) return;
    const made = await create.run({ name: name.trim(), description: description.trim(), schemas: parsed.value ? { '1': parsed.value } : null });
    if (made) onCreated(made);
  }

  return (
    <form className="card form" onSubmit={submit} aria-label="New event type">
      <h2>New event type</h2>
      <label className="form-field">
        <span>Name</span>
        <input name="name" required placeholder="invoice.paid" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="form-field">
        <span>Description</span>
        <input name="description" placeholder="When an invoice is paid" value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <label className="form-field">
        <span>JSON Schema (optional)</span>
        <textarea name="schema" className="mono" rows={6} spellCheck={false} placeholder={SCHEMA_HINT} value={schema} onChange={(e) => setSchema(e.target.value)} />
        <span className="hint">Put an example payload in the schema's <code>examples</code>: the catalogue shows it.</span>
        {schemaError && <span className="field-error">Schema {schemaError}</span>}
        {apiSchemaErrors.map((m) => (
          <span key={m} className="field-error">
            Schema {m}
          </span>
        ))}
      </label>
      {create.error && apiSchemaErrors.length === 0 && <ErrorMessage error={create.error} />}
      <FormActions label="Create event type" busyLabel="Creating…" busy={create.busy} disabled={schemaError !== null} onCancel={onCancel} />
    </form>
  );
}
