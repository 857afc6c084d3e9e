/** Sizes of every scenario: `full` is what the targets are about; `smoke` only proves the harness works. */
export interface Scale {
  /** Throughput, ceiling relay and PostgreSQL: messages from concurrent publishers to one endpoint. */
  throughput: { messages: number; publishers: number; timeoutMs: number };
  /** Open-loop latency from the first message. */
  latency: { rate: number; seconds: number; timeoutMs: number };
  /** One application, endpoints spread over receivers, every message to all. */
  fanout: { endpoints: number; receivers: number; messages: number; publishers: number; timeoutMs: number };
  /** Messages accepted while the endpoint is down, then drained once it is back (waiting at most drainTimeoutMs). */
  backlog: { messages: number; publishers: number; drainTimeoutMs: number };
  /** Every message to all endpoints; `failing` answer 500 and `hanging` never answer in the poisoned run. */
  poisoned: { endpoints: number; failing: number; hanging: number; healthyReceivers: number; messages: number; publishers: number; timeoutMs: number };
  /** Messages in the one application the dashboard is walked over, and how many measured walks. */
  dashboard: { messages: number; runs: number };
}

export const SCALES: Record<'full' | 'smoke', Scale> = {
  full: {
    throughput: { messages: 20_000, publishers: 64, timeoutMs: 300_000 },
    latency: { rate: 500, seconds: 10, timeoutMs: 60_000 },
    fanout: { endpoints: 1_000, receivers: 10, messages: 50, publishers: 8, timeoutMs: 300_000 },
    backlog: { messages: 1_000_000, publishers: 64, drainTimeoutMs: 15 * 60_000 },
    poisoned: { endpoints: 100, failing: 5, hanging: 5, healthyReceivers: 8, messages: 1_000, publishers: 16, timeoutMs: 300_000 },
    dashboard: { messages: 100_000, runs: 3 },
  },
  smoke: {
    throughput: { messages: 500, publishers: 64, timeoutMs: 30_000 },
    latency: { rate: 100, seconds: 2, timeoutMs: 15_000 },
    fanout: { endpoints: 20, receivers: 2, messages: 10, publishers: 8, timeoutMs: 30_000 },
    backlog: { messages: 2_000, publishers: 64, drainTimeoutMs: 60_000 },
    poisoned: { endpoints: 20, failing: 1, hanging: 1, healthyReceivers: 2, messages: 10, publishers: 16, timeoutMs: 30_000 },
    dashboard: { messages: 2_000, runs: 1 },
  },
};
