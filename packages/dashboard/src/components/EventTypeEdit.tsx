import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import type { EventTypeOut, EventTypePatch } from '@herald/wire';
import { parseJsonObject } from '../lib/json-input';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';
import { ErrorMessage, FormActions } from './common';
import { FormField } from './FormField';

/** The body fields this form shows the API's 422 messages for; a message about any other goes above the buttons. */
const SHOWN = new Set(['description', 'featureFlags', 'groupName', 'schemas']);
const SCHEMAS_HINT = '{"1": {"type": "object", "examples": [{"id": "inv_1"}]}}';

/** The schemas as typed: empty is none; otherwise a JSON object of versions, each a JSON Schema object. */
function parseSchemas(text: string): { value: Record<string, unknown> | null } | { error: string } {
  const parsed = parseJsonObject(text);
  if ('error' in parsed) return parsed;
  const versions = parsed.value;
  const bad = Object.entries(versions ?? {}).find(([, s]) => s === null || typeof s !== 'object' || Array.isArray(s));
  return bad ? { error: `version "${bad[0]}" must be a JSON Schema object` } : { value: versions };
}

/**
 * Changes an event type with PATCH. Every field it shows is sent, so what it leaves out (archived) is kept; the
 * schemas are checked as JSON here, and the API's 422s (an invalid JSON Schema, a malformed name) show by their field.
 */
export function EventTypeEdit({ eventType, onSaved, onCancel }: { eventType: EventTypeOut; onSaved: (t: EventTypeOut) => void; onCancel: () => void }) {
  const { api } = useSession();
  const [description, setDescription] = useState(eventType.description);
  const [flags, setFlags] = useState((eventType.featureFlags ?? []).join(', '));
  const [group, setGroup] = useState(eventType.groupName ?? '');
  const [deprecated, setDeprecated] = useState(eventType.deprecated);
  const [schemas, setSchemas] = useState(eventType.schemas && Object.keys(eventType.schemas).length > 0 ? JSON.stringify(eventType.schemas, null, 2) : '');
  const save = useAction((body: EventTypePatch) => api.call('PATCH /api/v1/event-type/:event_type_name', { params: { event_type_name: eventType.name }, body }));

  const parsed = parseSchemas(schemas);
  const schemasLocal = 'error' in parsed ? [`Schemas ${parsed.error}`] : [];
  const apiError = save.error instanceof ApiError ? save.error : null;
  const about = (field: string) => apiError?.about(field) ?? [];
  const otherError = save.error && !(apiError && apiError.fields.length > 0 && apiError.fields.every((f) => SHOWN.has(f.loc[1] ?? '')));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if ('error' in parsed) return;
    const flagList = flags.split(',').map((f) => f.trim()).filter(Boolean);
    const saved = await save.run({
      description: description.trim(),
      deprecated,
      featureFlags: flagList.length > 0 ? flagList : null,
      groupName: group.trim() || null,
      // An object of versions; that each is a JSON Schema object is the server's to check (its 422 names the field).
      schemas: parsed.value as EventTypePatch['schemas'],
    });
    if (saved) onSaved(saved);
  }

  return (
    <form className="card form" onSubmit={submit} aria-label={`Edit event type ${eventType.name}`}>
      <h2>
        Edit <span className="mono">{eventType.name}</span>
      </h2>
      <FormField
        label="Description"
        errors={about('description')}
        control={(p) => <input {...p} maxLength={10_000} value={description} onChange={(e) => setDescription(e.target.value)} />}
      />
      <FormField
        label="Feature flags"
        hint="Comma-separated, kept for Svix clients: Herald itself does not act on them."
        errors={about('featureFlags')}
        control={(p) => <input {...p} className="mono" placeholder="beta" value={flags} onChange={(e) => setFlags(e.target.value)} />}
      />
      <FormField
        label="Group name"
        hint="Optional: letters, digits, - _ ."
        errors={about('groupName')}
        control={(p) => <input {...p} className="mono" placeholder="billing" value={group} onChange={(e) => setGroup(e.target.value)} />}
      />
      <label className="check form-field-check">
        <input type="checkbox" name="deprecated" checked={deprecated} onChange={(e) => setDeprecated(e.target.checked)} />
        Deprecated
      </label>
      <FormField
        label="Schemas (JSON)"
        hint={
          <>
            A JSON Schema per version, keyed by version. Put an example payload in a schema's <code>examples</code>: the
            catalogue shows it. Empty: no schema.
          </>
        }
        errors={[...schemasLocal, ...about('schemas')]}
        control={(p) => (
          <textarea
            {...p}
            className="mono"
            rows={12}
            spellCheck={false}
            placeholder={SCHEMAS_HINT}
            value={schemas}
            onChange={(e) => {
              setSchemas(e.target.value);
              save.clearError();
            }}
          />
        )}
      />
      {otherError && <ErrorMessage error={save.error} />}
      <FormActions label="Save changes" busyLabel="Saving…" busy={save.busy} disabled={schemasLocal.length > 0} onCancel={onCancel} />
    </form>
  );
}
