import { endpointDestinationContext, type SecretCodec } from '../../security/secret-box.ts';
import type { DestinationType, Endpoint, EndpointDestination } from '../types.ts';

/** An endpoint row's destination columns, the same text in both dialects. */

type Row = Record<string, any>;

export function destinationOf(r: Row, secrets: SecretCodec): EndpointDestination | null {
  if (r.destination_type === null || r.destination_type === undefined) return null;
  const { config, batchSize, maxWaitSecs } = JSON.parse(secrets.open(r.destination, endpointDestinationContext(r.id)));
  return { type: r.destination_type as DestinationType, config, batchSize, maxWaitSecs };
}

/** [destination_type, destination] for an insert or update. */
export function destinationColumns(ep: Endpoint, secrets: SecretCodec): [string | null, string | null] {
  const d = ep.destination;
  if (d === null) return [null, null];
  const sealed = secrets.seal(JSON.stringify({ config: d.config, batchSize: d.batchSize, maxWaitSecs: d.maxWaitSecs }), endpointDestinationContext(ep.id));
  return [d.type, sealed];
}
