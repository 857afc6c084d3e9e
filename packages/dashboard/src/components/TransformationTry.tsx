import { useId, useState, type FormEvent } from 'react';
import type { EndpointTransformationSimulateOut } from '@herald/wire';
import { ApiError, type EndpointRef } from '../api/client';
import { startingExample, useExampleCatalogue, type Example } from '../lib/event-examples';
import { parseJsonObject } from '../lib/json-input';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';
import { ErrorMessage, Fields, Mono, Notice, Spinner } from './common';
import { FormField } from './FormField';
import { JsonView } from './JsonView';

/** The 422 item type the simulate route answers when the code itself failed (threw, ran too long, returned junk). */
const RUN_FAILED = 'transformation_failed';

/** Without a catalogue example: no event type to suggest, and an empty payload. */
const NO_EXAMPLE = { eventType: '', payload: {} };

interface InputErrors {
  payload: string[];
  eventType: string[];
  code: string[];
}

/**
 * Runs the editor's code (saved or not) against an example message in the server's sandbox: nothing is stored or
 * sent. Waits for the catalogue only to pick the starting example; without it, it starts from an empty object.
 */
export function TransformationTry({ endpoint, code, endpointEventTypes }: {
  endpoint: EndpointRef;
  code: string;
  endpointEventTypes: string[] | null | undefined;
}) {
  const catalogue = useExampleCatalogue();
  if (!catalogue.data && !catalogue.error) return <Spinner />;
  const types = catalogue.data?.data ?? [];
  return <TryForm endpoint={endpoint} code={code} start={startingExample(endpointEventTypes, types, NO_EXAMPLE)} eventTypeNames={types.map((t) => t.name)} />;
}

function TryForm({ endpoint, code, start, eventTypeNames }: { endpoint: EndpointRef; code: string; start: Example; eventTypeNames: string[] }) {
  const { api } = useSession();
  const suggestionsId = useId();
  const [eventType, setEventType] = useState(start.eventType);
  const [payloadText, setPayloadText] = useState(start.payload);
  // What is wrong with the inputs, found on Run (not on each keystroke, so a payload is not marked wrong while typed).
  const [inputErrors, setInputErrors] = useState<InputErrors>({ payload: [], eventType: [], code: [] });
  const [result, setResult] = useState<EndpointTransformationSimulateOut | null>(null);
  const simulate = useAction((body: { code: string; eventType: string; payload: Record<string, unknown> }) =>
    api.call('POST /api/v1/app/:app_id/endpoint/:endpoint_id/transformation/simulate', { params: endpoint, body }));

  async function run(e: FormEvent) {
    e.preventDefault();
    setResult(null);
    simulate.clearError();
    const parsed = parseJsonObject(payloadText);
    const payload = 'error' in parsed ? null : parsed.value;
    const problems: InputErrors = {
      payload: 'error' in parsed ? [`Example payload: ${parsed.error}`] : payload === null ? ['Example payload: must be a JSON object'] : [],
      eventType: eventType.trim() ? [] : ['Enter the event type of the example message'],
      code: code.trim() ? [] : ['There is no code to run: write a handler above'],
    };
    setInputErrors(problems);
    if (payload === null || problems.eventType.length > 0 || problems.code.length > 0) return;
    const answer = await simulate.run({ code, eventType: eventType.trim(), payload });
    if (answer) setResult(answer);
  }

  const apiError = simulate.error instanceof ApiError ? simulate.error : null;
  const failure = apiError?.fields.find((f) => f.type === RUN_FAILED)?.msg;
  const about = (field: string) => (failure === undefined ? apiError?.about(field) ?? [] : []);
  const shownByField = apiError !== null && apiError.fields.length > 0 && apiError.fields.every((f) => f.loc[1] === 'eventType' || f.loc[1] === 'payload');

  return (
    <form className="stack" onSubmit={run} aria-label="Try it">
      <div>
        <h3>Try it</h3>
        <p className="muted small">Runs the code above, saved or not, on an example message: nothing is stored or sent.</p>
      </div>
      <FormField
        label="Event type"
        errors={[...inputErrors.eventType, ...about('eventType')]}
        control={(p) => (
          <>
            <input {...p} className="mono" list={suggestionsId} value={eventType} onChange={(e) => setEventType(e.target.value)} />
            <datalist id={suggestionsId}>
              {eventTypeNames.map((name) => <option key={name} value={name} />)}
            </datalist>
          </>
        )}
      />
      <FormField
        label="Example payload (JSON)"
        errors={[...inputErrors.payload, ...about('payload')]}
        control={(p) => <textarea {...p} className="mono" rows={8} spellCheck={false} value={payloadText} onChange={(e) => setPayloadText(e.target.value)} />}
      />
      <div className="row">
        <button type="submit" className="button button-primary" disabled={simulate.busy}>
          {simulate.busy ? 'Running…' : 'Run'}
        </button>
      </div>
      {inputErrors.code.length > 0 && <Notice tone="error">{inputErrors.code[0]}</Notice>}
      {failure !== undefined && (
        <div className="alert alert-error" role="alert" data-testid="transformation-failure">
          <span>The transformation failed: {failure}</span>
        </div>
      )}
      {simulate.error && failure === undefined && !shownByField && <ErrorMessage error={simulate.error} />}
      {result && <SimulatedWebhook result={result} />}
    </form>
  );
}

/** What the endpoint would receive: the method, URL and payload as the handler returned them, or that it is cancelled. */
function SimulatedWebhook({ result }: { result: EndpointTransformationSimulateOut }) {
  return (
    <div className="stack" data-testid="transformation-result">
      {result.cancel ? (
        <Notice>Cancelled: this message would not be sent to the endpoint (its attempt is recorded as canceled).</Notice>
      ) : (
        <>
          <Fields rows={[['Method', <Mono>{result.method}</Mono>], ['URL', <Mono>{result.url}</Mono>]]} />
          <JsonView value={result.payload} label="Transformed payload" />
        </>
      )}
      <p className="muted small">Ran in {Math.round(result.durationMs)} ms.</p>
    </div>
  );
}
