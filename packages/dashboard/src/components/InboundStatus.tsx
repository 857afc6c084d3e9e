import type { InboundStatus } from '@herald/wire';

const TONE: Record<InboundStatus, 'ok' | 'wait' | 'bad' | 'muted'> = {
  accepted: 'ok',
  received: 'wait',
  rejected: 'bad',
  duplicate: 'muted',
  inspected: 'muted',
  handshake: 'muted',
};

/** What became of a captured request (see docs/inbound.md): forwarded, waiting, refused, or kept only. */
export const INBOUND_STATUSES: [InboundStatus, string][] = [
  ['accepted', 'Accepted (forwarded)'],
  ['received', 'Received (not forwarded yet)'],
  ['rejected', 'Rejected (failed verification)'],
  ['duplicate', 'Duplicate'],
  ['inspected', 'Inspected (inspect mode)'],
  ['handshake', 'Handshake'],
];

export function InboundStatusBadge({ status }: { status: InboundStatus }) {
  return <span className={`badge badge-${TONE[status] ?? 'muted'}`}>{status[0]?.toUpperCase() + status.slice(1)}</span>;
}
