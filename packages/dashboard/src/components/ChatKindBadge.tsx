import type { EndpointKind } from '@herald/wire';
import { ENDPOINT_KINDS } from '../lib/chat-kinds';

/** Which chat tool an endpoint posts to, as a small badge beside its URL. */
export function ChatKindBadge({ kind }: { kind: EndpointKind }) {
  return (
    <span className="badge badge-kind" data-testid="endpoint-kind">
      {ENDPOINT_KINDS[kind].label}
    </span>
  );
}
