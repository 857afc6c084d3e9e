import type { EventTypeOut } from '@herald/wire';
import { useSession } from './session-context';
import { useApi } from './useApi';

/** The catalogue is read once, up to this many types: enough for any real catalogue. */
const CATALOGUE_LIMIT = 250;

/** The event type catalogue with the types' schemas, which hold their example payloads. */
export function useExampleCatalogue() {
  const { api } = useSession();
  return useApi('event-types:examples', (signal) => api.call('GET /api/v1/event-type', { query: { with_content: true, limit: CATALOGUE_LIMIT }, signal }));
}

/**
 * The example payloads of an event type's newest schema version (the objects among them): the ones the API's
 * send-example picks from, and what the transformation editor's "Try it" starts from.
 */
export function examplesOf(type: EventTypeOut): Record<string, unknown>[] {
  const versions = Object.keys(type.schemas ?? {}).sort((a, b) => Number(b) - Number(a) || b.localeCompare(a));
  const newest = versions[0] === undefined ? undefined : type.schemas?.[versions[0]];
  const examples = (newest as { examples?: unknown } | undefined)?.examples;
  return Array.isArray(examples) ? examples.filter((e): e is Record<string, unknown> => e !== null && typeof e === 'object' && !Array.isArray(e)) : [];
}

/** An example message to try something on: its event type and its payload as editable JSON text. */
export interface Example {
  eventType: string;
  payload: string;
}

/**
 * Where a "try it" starts: the endpoint's first event type (else the catalogue's first with an example) and that
 * type's example payload from the catalogue; `fallback` for whatever the catalogue does not give.
 */
export function startingExample(endpointEventTypes: string[] | null | undefined, catalogue: EventTypeOut[], fallback: { eventType: string; payload: Record<string, unknown> }): Example {
  const withExample = catalogue.find((t) => examplesOf(t).length > 0);
  const eventType = endpointEventTypes?.[0] ?? withExample?.name ?? fallback.eventType;
  const type = catalogue.find((t) => t.name === eventType);
  const payload = (type && examplesOf(type)[0]) ?? fallback.payload;
  return { eventType, payload: JSON.stringify(payload, null, 2) };
}
