import type { CircuitState } from '../store/types.ts';

export interface CircuitOptions {
  /** Consecutive failed attempts (no success between) that open the circuit. */
  openAfterFailures: number;
  /** Wait before the first probe of an open circuit; it doubles after each failed probe, up to maxProbeMs. */
  firstProbeMs: number;
  maxProbeMs: number;
}

export const DEFAULT_CIRCUIT: CircuitOptions = { openAfterFailures: 20, firstProbeMs: 5_000, maxProbeMs: 60_000 };

/**
 * One endpoint's circuit breaker. An endpoint that failed many attempts in a row is most likely down: sending each
 * of its deliveries only to fail again costs a request and an attempt row apiece, and a backlog of them crowds the
 * worker. Open, the endpoint's deliveries wait in the database and one at a time probes it, less and less often;
 * the first success closes the circuit and its backlog drains at once instead of waiting out each retry.
 */
export class Circuit {
  private failureCount = 0;
  private probeDelayMs: number;
  open = false;
  openedAt = 0;

  constructor(private readonly options: CircuitOptions) {
    this.probeDelayMs = options.firstProbeMs;
  }

  /** An open circuit as it was kept (by this or an earlier process): it goes on from where it was. */
  static reopened(options: CircuitOptions, saved: CircuitState): Circuit {
    const circuit = new Circuit(options);
    Object.assign(circuit, { open: true, openedAt: saved.openedAt, failureCount: saved.failures, probeDelayMs: saved.probeDelayMs });
    return circuit;
  }

  get failures(): number {
    return this.failureCount;
  }

  /** The wait the next probe after this one will have. */
  get upcomingProbeDelay(): number {
    return this.probeDelayMs;
  }

  /** Records an attempt's result; says whether it opened or closed the circuit. */
  note(succeeded: boolean): 'opened' | 'closed' | null {
    if (succeeded) {
      this.failureCount = 0;
      this.probeDelayMs = this.options.firstProbeMs;
      if (!this.open) return null;
      this.open = false;
      return 'closed';
    }
    this.failureCount++;
    if (this.open || this.failureCount < this.options.openAfterFailures) return null;
    this.open = true;
    this.openedAt = Date.now();
    return 'opened';
  }

  /** How long to wait before the next probe; each call doubles the following wait, up to the maximum. */
  nextProbeDelay(): number {
    const delay = this.probeDelayMs;
    this.probeDelayMs = Math.min(this.probeDelayMs * 2, this.options.maxProbeMs);
    return delay;
  }
}

/** What the circuit breakers ask of the engine. */
export interface CircuitHost {
  /** The endpoint's circuit opened here, or was adopted from the store: park what is queued for it. */
  holdBack(endpointId: string, why: 'opened' | 'adopted'): void;
  /** Send the endpoint's oldest parked delivery as a probe (unless one of its attempts is still on its way). */
  probe(endpointId: string): void;
  /** The circuit closed: send the endpoint's work again. */
  resume(endpointId: string): void;
  /** The open circuit's state changed (null: it closed); kept in the store for restarts and for everyone to see. */
  changed(endpointId: string, state: CircuitState | null): void;
}

interface EndpointState {
  circuit: Circuit;
  /** Sends allowed while the circuit is open (probes and manual resends). */
  allowed: number;
  timer: NodeJS.Timeout | null;
  nextProbeAt: number | null;
}

/** The circuit breakers of one worker's endpoints; an endpoint has state only while it is failing. */
export class CircuitBreakers {
  private readonly states = new Map<string, EndpointState>();

  constructor(
    private readonly options: CircuitOptions,
    private readonly host: CircuitHost,
  ) {}

  isOpen(endpointId: string): boolean {
    return this.states.get(endpointId)?.circuit.open ?? false;
  }

  /** The endpoints whose circuit is open here. */
  openEndpoints(): string[] {
    return [...this.states].filter(([, state]) => state.circuit.open).map(([endpointId]) => endpointId);
  }

  /** Whether a send to the endpoint may start now; while open only an allowed one may, which uses the allowance. */
  mayStart(endpointId: string): boolean {
    const state = this.states.get(endpointId);
    if (!state?.circuit.open) return true;
    if (state.allowed === 0) return false;
    state.allowed--;
    return true;
  }

  /** Lets one send through an open circuit (a probe, or a resend someone asked for). */
  allow(endpointId: string): void {
    const state = this.states.get(endpointId);
    if (state?.circuit.open) state.allowed++;
  }

  /** An attempt's result reached the endpoint's own network (a skipped send or a listen session does not count). */
  note(endpointId: string, succeeded: boolean): void {
    let state = this.states.get(endpointId);
    if (!state) {
      if (succeeded) return;
      state = { circuit: new Circuit(this.options), allowed: 0, timer: null, nextProbeAt: null };
      this.states.set(endpointId, state);
    }
    const change = state.circuit.note(succeeded);
    if (succeeded) {
      if (state.timer) clearTimeout(state.timer);
      this.states.delete(endpointId);
      if (change === 'closed') {
        this.host.changed(endpointId, null);
        this.host.resume(endpointId);
      }
    } else if (change === 'opened') {
      this.host.holdBack(endpointId, 'opened');
      this.scheduleProbe(endpointId, state, state.circuit.nextProbeDelay());
    } else if (state.circuit.open) {
      this.host.changed(endpointId, this.snapshot(endpointId, state)); // a failed probe
    }
  }

  /**
   * Takes over an open circuit kept in the store: this worker's earlier life opened it (a restart), or another
   * worker did. Its deliveries wait; the endpoint is probed at `probeAt`, once, before anything else goes.
   */
  adopt(saved: CircuitState, probeAt: number): void {
    if (this.isOpen(saved.endpointId)) return;
    const previous = this.states.get(saved.endpointId);
    if (previous?.timer) clearTimeout(previous.timer);
    const state: EndpointState = { circuit: Circuit.reopened(this.options, saved), allowed: 0, timer: null, nextProbeAt: null };
    this.states.set(saved.endpointId, state);
    this.host.holdBack(saved.endpointId, 'adopted');
    this.scheduleProbe(saved.endpointId, state, Math.max(0, probeAt - Date.now()));
  }

  /** Another worker's probe found the endpoint answering again (its circuit is no longer kept). */
  closedElsewhere(endpointId: string): void {
    const state = this.states.get(endpointId);
    if (!state?.circuit.open) return;
    if (state.timer) clearTimeout(state.timer);
    this.states.delete(endpointId);
    this.host.resume(endpointId);
  }

  /** The failed attempts in a row of an endpoint (0 when none is recorded). */
  failuresOf(endpointId: string): number {
    return this.states.get(endpointId)?.circuit.failures ?? 0;
  }

  stop(): void {
    for (const state of this.states.values()) if (state.timer) clearTimeout(state.timer);
    this.states.clear();
  }

  private snapshot(endpointId: string, state: EndpointState): CircuitState {
    const { circuit } = state;
    return { endpointId, openedAt: circuit.openedAt, failures: circuit.failures, probeDelayMs: circuit.upcomingProbeDelay, nextProbeAt: state.nextProbeAt };
  }

  private scheduleProbe(endpointId: string, state: EndpointState, delayMs: number): void {
    state.nextProbeAt = Date.now() + delayMs;
    this.host.changed(endpointId, this.snapshot(endpointId, state));
    state.timer = setTimeout(() => {
      if (this.states.get(endpointId) !== state) return;
      this.scheduleProbe(endpointId, state, state.circuit.nextProbeDelay());
      state.allowed = 1;
      this.host.probe(endpointId);
    }, delayMs);
    state.timer.unref();
  }
}
