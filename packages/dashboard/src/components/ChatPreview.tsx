import { useId, useState, type FormEvent } from 'react';
import type { ChatPreviewOut, ChatTemplate } from '@herald/wire';
import { ApiError, type EndpointRef } from '../api/client';
import { startingExample, useExampleCatalogue, type Example } from '../lib/event-examples';
import { parseJsonObject } from '../lib/json-input';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';
import { ErrorMessage, Spinner } from './common';
import { ChatBubble } from './ChatBubble';
import { FormField } from './FormField';
import { JsonView } from './JsonView';

/** What a preview starts from when the catalogue has no example: a CI notification, what chat endpoints often carry. */
const CI_EXAMPLE = { eventType: 'build.failed', payload: { status: 'failed', repo: 'acme/api' } };

interface Props {
  endpoint: EndpointRef;
  /** The template as it is in the editor, saved or not (null: Herald's default wording). */
  template: ChatTemplate | null;
  toolLabel: string;
  /** Whether the endpoint signs its messages: the preview's body is the one before signing. */
  signed: boolean;
  /** The event types the endpoint subscribes to (null: all): the preview starts from the first one's example. */
  endpointEventTypes: string[] | null | undefined;
}

/**
 * Renders the editor's template on an example message, as the chat would show it and as the tool's JSON body;
 * nothing is stored or sent. Waits for the catalogue only to pick the starting example.
 */
export function ChatPreview({ endpointEventTypes, ...props }: Props) {
  const catalogue = useExampleCatalogue();
  if (!catalogue.data && !catalogue.error) return <Spinner />;
  const types = catalogue.data?.data ?? [];
  return <PreviewForm {...props} start={startingExample(endpointEventTypes, types, CI_EXAMPLE)} eventTypeNames={types.map((t) => t.name)} />;
}

function PreviewForm({ endpoint, template, toolLabel, signed, start, eventTypeNames }: Omit<Props, 'endpointEventTypes'> & { start: Example; eventTypeNames: string[] }) {
  const { api } = useSession();
  const suggestionsId = useId();
  const [eventType, setEventType] = useState(start.eventType);
  const [payloadText, setPayloadText] = useState(start.payload);
  // Checked on Preview, not on each keystroke, so a payload is not marked wrong while it is being typed.
  const [payloadError, setPayloadError] = useState<string | null>(null);
  const [result, setResult] = useState<ChatPreviewOut | null>(null);
  const preview = useAction((body: { eventType: string; payload: Record<string, unknown>; chatTemplate: ChatTemplate | null }) =>
    api.call('POST /api/v1/app/:app_id/endpoint/:endpoint_id/chat-preview', { params: endpoint, body }));

  async function run(e: FormEvent) {
    e.preventDefault();
    setResult(null);
    preview.clearError();
    const parsed = parseJsonObject(payloadText);
    const payload = 'error' in parsed ? null : parsed.value;
    setPayloadError('error' in parsed ? `Example payload: ${parsed.error}` : payload === null ? 'Example payload: must be a JSON object' : null);
    if (payload === null) return;
    const answer = await preview.run({ eventType: eventType.trim(), payload, chatTemplate: template });
    if (answer) setResult(answer);
  }

  const apiError = preview.error instanceof ApiError ? preview.error : null;
  const shownByField = apiError !== null && apiError.fields.length > 0 && apiError.fields.every((f) => f.loc[1] === 'eventType' || f.loc[1] === 'payload');

  return (
    <form className="stack" onSubmit={run} aria-label="Preview">
      <div>
        <h3>Preview</h3>
        <p className="muted small">Shows what the template above, saved or not, makes of an example message: nothing is stored or sent.</p>
      </div>
      <FormField
        label="Example event type"
        errors={apiError?.about('eventType') ?? []}
        control={(p) => (
          <>
            <input {...p} className="mono" required list={suggestionsId} value={eventType} onChange={(e) => setEventType(e.target.value)} />
            <datalist id={suggestionsId}>
              {eventTypeNames.map((name) => <option key={name} value={name} />)}
            </datalist>
          </>
        )}
      />
      <FormField
        label="Example payload (JSON)"
        errors={[...(payloadError ? [payloadError] : []), ...(apiError?.about('payload') ?? [])]}
        control={(p) => <textarea {...p} className="mono" rows={6} spellCheck={false} value={payloadText} onChange={(e) => setPayloadText(e.target.value)} />}
      />
      <div className="row">
        <button type="submit" className="button button-primary" disabled={preview.busy}>
          {preview.busy ? 'Rendering…' : 'Preview'}
        </button>
      </div>
      {preview.error && !shownByField && <ErrorMessage error={preview.error} />}
      {result && (
        <div className="stack" data-testid="chat-preview">
          <ChatBubble message={result.message} toolLabel={toolLabel} />
          {!result.message.link && (
            <p className="muted small">No “Open in Herald” button: it needs the server’s HERALD_PUBLIC_URL, to link to the message.</p>
          )}
          <details className="schema">
            <summary>What {toolLabel} receives</summary>
            <JsonView value={result.body} label={`What ${toolLabel} receives`} />
            {signed && <p className="muted small">Unsigned here: Herald adds the timestamp and signature as it sends.</p>}
          </details>
        </div>
      )}
    </form>
  );
}
