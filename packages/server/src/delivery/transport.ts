import type { ClientCertificate } from '../store/slices/endpoint-auth.ts';
import type { ClaimedDelivery, EndpointDestination } from '../store/types.ts';

/** The most of a receiver's answer an attempt keeps. */
export const RESPONSE_BODY_LIMIT = 20 * 1024;

/** One attempt's request, signed and ready: what a transport carries to the receiver. */
export interface SignedRequest {
  /** Absent: POST. PUT only when the endpoint's transformation asked for it. */
  method?: 'PUT';
  url: string;
  headers: Record<string, string>;
  body: string | Buffer;
  /** The deadline of the whole attempt, from the first byte out to the last byte of the answer. */
  timeoutMs: number;
  /** A destination's type and settings (credentials included), for the transport that publishes to its broker. */
  destination?: EndpointDestination;
  /** Mutual TLS: the client certificate to present, and the CA the receiver's certificate must chain to (HTTP only). */
  clientCertificate?: ClientCertificate;
  /** Which attempt this is: a transport that shows deliveries to a person (`herald listen`) names them. */
  attempt: { appId: string; messageId: string; endpointId: string; eventType: string; number: number };
}

/** What came back: the receiver's answer, or why there was none. */
export interface TransportOutcome {
  /** null when no answer arrived (refused, unreachable, timed out, not connected). */
  statusCode: number | null;
  /** The answer's body (its first RESPONSE_BODY_LIMIT bytes) or, without an answer, what went wrong. */
  body: string;
  durationMs: number;
  timedOut: boolean;
  retryAfter: string | null;
  /** The receiver answered `webhook-delivery: abort-message`: stop retrying this message. */
  abortRequested: boolean;
  /** The failure was Herald's own (its delivery thread ended), not the endpoint's: the circuit breaker leaves it out. */
  heraldFault?: true;
}

/**
 * How an attempt reaches a receiver. The attempt signs the request, hands it to the transport its endpoint's URL
 * names, and records the outcome the same way whatever the transport.
 */
export interface Transport {
  /** Whether this transport delivers to the URL. */
  accepts(url: string): boolean;
  /** Whether an answer through it is the endpoint's own network's: the circuit breaker judges endpoints by those only. */
  readonly judgesEndpoint: boolean;
  send(request: SignedRequest): Promise<TransportOutcome>;
  /**
   * For a receiver connected to another process sharing the store: passes the claimed delivery there, its lease with
   * it, and says true; no attempt is then made here.
   */
  handOff?(appId: string, url: string, delivery: HandedOffDelivery): boolean;
}

/** The first of `transports` that delivers to the URL (so a catch-all goes last). */
export function transportFor(transports: readonly Transport[], url: string): Transport {
  const transport = transports.find((t) => t.accepts(url));
  if (!transport) throw new Error(`no transport delivers to ${url}`);
  return transport;
}

/** A claimed delivery as it is passed to another process: under its lease, without its payload (read there). */
export type HandedOffDelivery = Omit<ClaimedDelivery, 'payload'>;

/** An outcome without an answer. */
export const noAnswer = (body: string, durationMs = 0, timedOut = false): TransportOutcome => ({
  statusCode: null, body, durationMs, timedOut, retryAfter: null, abortRequested: false,
});
