import { useState, type FormEvent } from 'react';
import type { DestinationIn, DestinationOut, DestinationPatch } from '@herald/wire';
import { ApiError } from '../../api/client';
import { ErrorMessage, FormActions } from '../../components/common';
import { EventTypePicker } from '../../components/EventTypePicker';
import { FormField } from '../../components/FormField';
import { useSession } from '../../lib/session-context';
import { useAction } from '../../lib/useApi';
import { DestinationConfigFields } from './DestinationConfigFields';
import {
  configBody, configPatch, configProblems, configState, DESTINATION_TYPES, shownHeaders, TYPES, type DestinationType,
} from './destination-types';

/** The body fields shown with their own 422 messages (config's, by DestinationConfigFields). */
const SHOWN = new Set(['type', 'eventTypes', 'channels', 'batchSize', 'maxWaitSecs']);

const list = (text: string): string[] => text.split(',').map((s) => s.trim()).filter(Boolean);

/**
 * Creates a destination (POST) or, given one, changes it (PATCH; its type stays). The fields follow the type; an
 * edit sends only the config fields changed, which the API merges over the stored ones, so the credentials it never
 * shows are kept.
 */
export function DestinationForm({ appId, destination, onSaved, onCancel }: {
  appId: string;
  destination?: DestinationOut;
  onSaved: (d: DestinationOut) => void;
  onCancel: () => void;
}) {
  const { api } = useSession();
  const editing = destination !== undefined;
  const [type, setType] = useState<DestinationType>((destination?.type as DestinationType | undefined) ?? 'pollingEndpoint');
  const [initial] = useState(() => configState(type, destination?.config));
  const [config, setConfig] = useState(initial);
  const [eventTypes, setEventTypes] = useState<string[]>(destination?.eventTypes ?? []);
  const [channels, setChannels] = useState((destination?.channels ?? []).join(', '));
  const [batchSize, setBatchSize] = useState(destination ? String(destination.batchSize) : '');
  const [maxWait, setMaxWait] = useState(destination ? String(destination.maxWaitSecs) : '');
  const save = useAction((body: DestinationIn | DestinationPatch) => (destination
    ? api.call('PATCH /api/v1/app/:app_id/destination/:destination_id', { params: { app_id: appId, destination_id: destination.id }, body })
    // Creating, the form always gives the type.
    : api.call('POST /api/v1/app/:app_id/destination', { params: { app_id: appId }, body: body as DestinationIn })));

  const problems = configProblems(type, config);
  const apiError = save.error instanceof ApiError ? save.error : null;
  const at = (field: string) => apiError?.about(field) ?? [];
  const configNames = new Set(TYPES[type].fields.map((f) => f.name));
  const otherError = save.error && !(apiError && apiError.fields.length > 0
    && apiError.fields.every((f) => SHOWN.has(f.loc[1] ?? '') || (f.loc[1] === 'config' && configNames.has(f.loc[2] ?? ''))));
  const batching = type !== 'pollingEndpoint';

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (Object.keys(problems).length > 0) return;
    const settings = {
      eventTypes,
      channels: list(channels),
      // Empty is the API's default: one message at a time, sent at once.
      ...(batching && { batchSize: batchSize.trim() ? Number(batchSize) : 1, maxWaitSecs: maxWait.trim() ? Number(maxWait) : 0 }),
    };
    const saved = await save.run(editing ? { ...settings, config: configPatch(type, initial, config) } : { ...settings, type, config: configBody(type, config) });
    if (saved) onSaved(saved);
  }

  return (
    <form className="card form" onSubmit={submit} aria-label={editing ? 'Edit destination' : 'New destination'}>
      <h2>{editing ? 'Edit destination' : 'Add a destination'}</h2>
      <FormField
        label="Type"
        hint={TYPES[type].about}
        errors={at('type')}
        control={(p) => (
          <select
            {...p}
            name="type"
            value={type}
            disabled={editing}
            onChange={(e) => {
              const next = e.target.value as DestinationType;
              setType(next);
              setConfig(configState(next));
              save.clearError();
            }}
          >
            {DESTINATION_TYPES.map((t) => (
              <option key={t} value={t}>
                {TYPES[t].label}
              </option>
            ))}
          </select>
        )}
      />
      <DestinationConfigFields
        type={type}
        value={config}
        onChange={setConfig}
        error={apiError}
        problems={problems}
        editing={editing}
        hiddenHeaders={type === 'fifoEndpoint' ? shownHeaders(destination?.config['headers']).sensitive : []}
      />
      <div className="form-field">
        <label htmlFor="destination-event-types">Event types</label>
        <EventTypePicker id="destination-event-types" value={eventTypes} onChange={setEventTypes} />
        <span className="hint">Leave empty to take every event type.</span>
        {at('eventTypes').map((m) => <span key={m} className="field-error">{m}</span>)}
      </div>
      <FormField
        label="Channels"
        errors={at('channels')}
        control={(p) => <input {...p} name="channels" placeholder="Comma-separated; empty: every channel" value={channels} onChange={(e) => setChannels(e.target.value)} />}
      />
      {batching && (
        <>
          <FormField
            label="Batch size"
            hint="Messages gathered into one publish or insert (1 to 1000)."
            errors={at('batchSize')}
            control={(p) => <input {...p} name="batchSize" type="number" min={1} max={1000} placeholder="1" value={batchSize} onChange={(e) => setBatchSize(e.target.value)} />}
          />
          <FormField
            label="Max wait (seconds)"
            hint="How long a batch waits to fill before it is sent; below the server's HERALD_REQUEST_TIMEOUT."
            errors={at('maxWaitSecs')}
            control={(p) => <input {...p} name="maxWaitSecs" type="number" min={0} step="any" placeholder="0: send at once" value={maxWait} onChange={(e) => setMaxWait(e.target.value)} />}
          />
        </>
      )}
      {otherError && <ErrorMessage error={save.error} />}
      <FormActions
        label={editing ? 'Save changes' : 'Create destination'}
        busyLabel={editing ? 'Saving…' : 'Creating…'}
        busy={save.busy}
        disabled={Object.keys(problems).length > 0}
        onCancel={onCancel}
      />
    </form>
  );
}
