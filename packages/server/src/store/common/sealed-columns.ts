import { endpointAuthContext, endpointChatContext, endpointDestinationContext, sourceVerificationContext } from '../../security/secret-box.ts';

/**
 * The text columns that hold one sealed value per row, with the row key and the context each is sealed under: what
 * a key rotation (or the first keyed open) seals again. Endpoint signing keys and custom headers have rules of their own.
 */
export const SEALED_TEXT_COLUMNS: readonly { table: string; key: string; column: string; context: (id: string) => string }[] = [
  { table: 'source', key: 'id', column: 'verification', context: sourceVerificationContext },
  { table: 'endpoint_auth', key: 'endpoint_id', column: 'sealed', context: endpointAuthContext },
  { table: 'endpoint', key: 'id', column: 'destination', context: endpointDestinationContext },
  { table: 'endpoint', key: 'id', column: 'chat', context: endpointChatContext },
];
