import { endpointChatContext, endpointDestinationContext, type SecretCodec } from '../../security/secret-box.ts';
import type { ChatKindName, DestinationType, Endpoint, EndpointChat, EndpointDestination } from '../types.ts';

/** An endpoint row's destination and chat columns, the same text in both dialects. */

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

export function chatOf(r: Row, secrets: SecretCodec): EndpointChat | null {
  if (r.chat_kind === null || r.chat_kind === undefined) return null;
  const { secret, template } = JSON.parse(secrets.open(r.chat, endpointChatContext(r.id)));
  return { kind: r.chat_kind as ChatKindName, secret, template };
}

/** [chat_kind, chat] for an insert or update. */
export function chatColumns(ep: Endpoint, secrets: SecretCodec): [string | null, string | null] {
  const c = ep.chat;
  if (c === null) return [null, null];
  return [c.kind, secrets.seal(JSON.stringify({ secret: c.secret, template: c.template }), endpointChatContext(ep.id))];
}
