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
