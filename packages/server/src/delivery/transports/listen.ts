import { listenNameOf, type ListenHub } from '../listen-hub.ts';
import type { HandedOffDelivery, SignedRequest, Transport, TransportOutcome } from '../transport.ts';

/**
 * `herald-listen://NAME` endpoints: the request goes down the stream of the `herald listen` session of that name
 * (connected to this process, or to another one the claimed delivery is handed to), and the local server's answer,
 * relayed by the CLI, is the outcome. A developer's laptop says nothing about the endpoint's health.
 */
export class ListenTransport implements Transport {
  readonly judgesEndpoint = false;

  constructor(private readonly hub: ListenHub) {}

  accepts(url: string): boolean {
    return listenNameOf(url) !== null;
  }

  send({ url, headers, body, timeoutMs, attempt }: SignedRequest): Promise<TransportOutcome> {
    const delivery = {
      msgId: attempt.messageId, endpointId: attempt.endpointId, eventType: attempt.eventType, attemptNumber: attempt.number, headers,
      ...(typeof body === 'string' ? { body } : { body: body.toString('base64'), bodyEncoding: 'base64' as const }),
    };
    return this.hub.deliver(attempt.appId, listenNameOf(url)!, delivery, timeoutMs);
  }

  handOff(appId: string, url: string, delivery: HandedOffDelivery): boolean {
    const holder = this.hub.remoteHolder(appId, listenNameOf(url)!);
    if (holder === null) return false;
    this.hub.handOff(holder, delivery);
    return true;
  }
}
