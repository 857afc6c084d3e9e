import { HeraldClient, closedLoop } from './client.ts';
import type { ServerProcess } from './processes.ts';
import type { Receiver } from './receiver.ts';
import { Tally } from './tally.ts';
import { now, round } from './util.ts';

/**
 * A shop's webhooks, as the dashboard scenario fills them in: event types of very different frequency (down to one
 * message in a thousand), two channels, an occasional tag, a realistic order payload. Endpoint 0 takes everything and
 * answers 200; endpoint 1 takes only `invoice.failed` and answers 500, so its attempts fail and are retried.
 */
const EVENT_TYPES: [string, number][] = [
  ['order.created', 500], ['order.paid', 300], ['customer.updated', 150], ['invoice.failed', 49], ['account.deleted', 1],
];
export const RARE_EVENT_TYPE = 'account.deleted';
export const RARE_TAG = 'vip';

export function eventTypeOf(index: number): string {
  let slot = index % 1000;
  for (const [type, share] of EVENT_TYPES) {
    if (slot < share) return type;
    slot -= share;
  }
  throw new Error('the shares add up to 1000');
}

function shopMessage(index: number) {
  return {
    eventType: eventTypeOf(index),
    channels: [index % 2 === 0 ? 'eu' : 'us'],
    ...(index % 100 === 7 ? { tags: [RARE_TAG] } : {}),
    payload: {
      i: index, t: now(),
      order: {
        id: `ord_${index}`, customer: { id: `cus_${index % 5000}`, email: `customer${index % 5000}@example.com` },
        lines: Array.from({ length: 1 + (index % 4) }, (_, n) => ({ sku: `SKU-${(index + n) % 977}`, quantity: 1 + n, price: 1999 + n * 100 })),
        currency: index % 2 === 0 ? 'EUR' : 'USD', note: 'x'.repeat(200),
      },
    },
  };
}

export interface SeededShop {
  appId: string;
  endpointIds: [string, string];
  /** The message published halfway, and when: the deep page and the date filter start there. */
  middle: { id: string; at: number };
  seedSeconds: number;
  deliveredPerSecond: number;
}

/** Publishes `messages` through the API and waits until endpoint 0 has them all (endpoint 1's keep failing). */
export async function seedShop(server: ServerProcess, receiver: Receiver, tally: Tally, messages: number, log: (m: string) => void): Promise<SeededShop> {
  const client = new HeraldClient(server.url, 32);
  try {
    const appId = (await client.post<{ id: string }>('/api/v1/app', { name: 'Acme Shop', uid: 'shop' }, 201)).id;
    const all = (await client.post<{ id: string }>(`/api/v1/app/${appId}/endpoint`, { url: receiver.url(0), description: 'all events' }, 201)).id;
    const failing = (await client.post<{ id: string }>(`/api/v1/app/${appId}/endpoint`, {
      url: receiver.url(1), description: 'billing (broken)', filterTypes: ['invoice.failed'],
    }, 201)).id;
    const half = Math.floor(messages / 2);
    let middle = { id: '', at: 0 };
    log(`publishing ${messages} messages`);
    const { startedAt } = await closedLoop(messages, 32, async (i) => {
      const at = Date.now();
      const out = await client.post<{ id: string }>(`/api/v1/app/${appId}/msg`, shopMessage(i), 202);
      if (i === half) middle = { id: out.id, at };
    });
    if (!(await tally.waitFor(600_000))) throw new Error(`only ${tally.distinct} of ${messages} messages reached endpoint 0 within 10 min`);
    const seconds = (tally.lastNewAt - startedAt) / 1000;
    log(`${messages} messages published and delivered in ${round(seconds, 1)} s`);
    return { appId, endpointIds: [all, failing], middle, seedSeconds: round(seconds, 1), deliveredPerSecond: Math.round(messages / seconds) };
  } finally {
    await client.close();
  }
}
