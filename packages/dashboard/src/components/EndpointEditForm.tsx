import { useState, type FormEvent } from 'react';
import { ApiError, type EndpointRef } from '../api/client';
import type { EndpointOut, EndpointPatch } from '@herald/wire';
import { parseJsonObject } from '../lib/json-input';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';
import { ErrorMessage, FormActions } from './common';
import { EndpointSettingsFields, SETTINGS_SHOWN, useEndpointSettings } from './EndpointSettings';
import { EndpointTargetFields, TARGET_SHOWN, useEndpointTarget } from './EndpointTargetFields';

const FILTER_HINT = '{"body": {"invoice.currency": "EUR", "amount": {"$exists": true}}}';
/** The body fields whose 422 messages are shown beside them; a message about any other goes above the buttons. */
const SHOWN = new Set(['filter', ...TARGET_SHOWN, ...SETTINGS_SHOWN]);

/** Changes an endpoint's settings with PATCH; a 422 about a field is shown next to it. */
export function EndpointEditForm({ params, endpoint, onSaved, onCancel }: {
  params: EndpointRef;
  endpoint: EndpointOut;
  onSaved: (ep: EndpointOut) => void;
  onCancel: () => void;
}) {
  const { api } = useSession();
  const target = useEndpointTarget(endpoint);
  const settings = useEndpointSettings(endpoint);
  const [filter, setFilter] = useState(endpoint.filter ? JSON.stringify(endpoint.filter, null, 2) : '');
  const save = useAction((body: EndpointPatch) => api.call('PATCH /api/v1/app/:app_id/endpoint/:endpoint_id', { params, body }));

  const parsed = parseJsonObject(filter, 'a JSON object, like {"body": {…}}');
  const filterLocal = 'error' in parsed ? parsed.error : null;
  const apiError = save.error instanceof ApiError ? save.error : null;
  const filterApi = apiError?.about('filter') ?? [];
  const otherError = save.error && !(apiError && apiError.fields.length > 0 && apiError.fields.every((f) => SHOWN.has(f.loc[1] ?? '')));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if ('error' in parsed || settings.scheduleError) return;
    const saved = await save.run({ ...target.body(), ...settings.body(), filter: parsed.value });
    if (saved) onSaved(saved);
  }

  return (
    <form className="card form" onSubmit={submit} aria-label="Edit endpoint">
      <h2>Edit endpoint</h2>
      <EndpointTargetFields target={target} apiError={apiError} />
      <EndpointSettingsFields settings={settings} pickerId="edit-event-types" fold={false} apiError={apiError} />
      <label className="form-field">
        <span>Filter (JSON)</span>
        <textarea
          name="filter"
          className="mono"
          rows={5}
          spellCheck={false}
          placeholder={FILTER_HINT}
          aria-invalid={filterLocal !== null || filterApi.length > 0}
          value={filter}
          onChange={(e) => {
            setFilter(e.target.value);
            save.clearError();
          }}
        />
        <span className="hint">Deliver only messages whose body fields (dot paths) match. Empty: no filter.</span>
        {filterLocal && <span className="field-error" data-testid="filter-error">Filter {filterLocal}</span>}
        {filterApi.map((m) => (
          <span key={m} className="field-error" data-testid="filter-error">
            Filter {m}
          </span>
        ))}
      </label>
      {otherError && <ErrorMessage error={save.error} />}
      <FormActions label="Save changes" busyLabel="Saving…" busy={save.busy} disabled={filterLocal !== null || settings.scheduleError !== null} onCancel={onCancel} />
    </form>
  );
}
