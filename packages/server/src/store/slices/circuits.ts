import type { CircuitState } from '../types.ts';

/**
 * Endpoints' open circuit breakers, kept so a restart does not forget them (see delivery/circuit.ts).
 */
export interface CircuitStore {
  /** Records an endpoint's open circuit breaker (replacing what was kept); nothing when the endpoint is gone. */
  saveCircuit(state: CircuitState, now: number): Promise<void>;
  /** The endpoint's circuit closed. */
  clearCircuit(endpointId: string): Promise<void>;
  /** The open circuits, of the given endpoints or of all. */
  listCircuits(endpointIds?: readonly string[]): Promise<CircuitState[]>;
}
