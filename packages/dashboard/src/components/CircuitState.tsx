import type { CircuitOut, EndpointOut } from '@herald/wire';
import { formatTime, relativeTime } from '../lib/format';
import { href } from '../lib/router';

export const circuitOpen = (endpoint: EndpointOut): boolean => endpoint.circuit?.state === 'open';

/** When the next probe is: a time, or that one is on its way. */
function nextProbe(circuit: CircuitOut): string {
  return circuit.nextProbeAt ? `next probe ${relativeTime(circuit.nextProbeAt)} (${formatTime(circuit.nextProbeAt)})` : 'a probe is on its way';
}

/** The endpoint's state: disabled, enabled, or enabled but held back by its open circuit. */
export function EndpointStateBadge({ endpoint }: { endpoint: EndpointOut }) {
  if (endpoint.disabled) return <span className="badge badge-bad">Disabled</span>;
  if (circuitOpen(endpoint)) {
    return (
      <span className="badge badge-wait" data-testid="circuit-badge" title={`Failing: deliveries wait; ${nextProbe(endpoint.circuit!)}`}>
        Circuit open
      </span>
    );
  }
  return <span className="badge badge-ok">Enabled</span>;
}

/** The circuit breaker in words, for the endpoint's fields. */
export function CircuitText({ circuit }: { circuit: CircuitOut | undefined }) {
  if (!circuit || circuit.state === 'closed') return <>Closed: deliveries go as they come due</>;
  return (
    <span data-testid="circuit-state">
      <strong>Open</strong> since {formatTime(circuit.openedAt)} after {circuit.failures} failed attempts in a row. Its deliveries wait and
      are not retried one by one; the endpoint is probed with one delivery at a time, {nextProbe(circuit)}. The first success sends them all.
    </span>
  );
}

/** Why attempts to these endpoints are held (the Live view): their circuit is open. Nothing when none is. */
export function HeldAttempts({ appId, endpoints }: { appId: string; endpoints: EndpointOut[] }) {
  const held = endpoints.filter(circuitOpen);
  if (held.length === 0) return null;
  return (
    <div className="alert alert-info" role="status" data-testid="held-attempts">
      <div>
        {held.map((e) => (
          <p key={e.id}>
            Attempts to <a href={href('apps', appId, 'endpoints', e.id)} className="mono">{e.url}</a> are held: it failed {e.circuit!.failures} attempts
            in a row and its circuit opened {relativeTime(e.circuit!.openedAt!)}. Its deliveries wait while it is probed with one at a time;{' '}
            {nextProbe(e.circuit!)}.
          </p>
        ))}
      </div>
    </div>
  );
}
