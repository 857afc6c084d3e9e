/**
 * What the storage conformance suites (test/store/*.test.ts) share: fixtures (fixed times, apps, endpoints, messages,
 * attempts, outcomes), small helpers over the public Storage API, and the keyset pagination model every listing is
 * held to.
 */
import assert from 'node:assert/strict';
import { HeraldError } from '../../src/lib/errors.ts';
import type {
  Admission, App, Attempt, AttemptOutcome, ClaimedDelivery, Delivery, Endpoint, EndpointKey, EventType, Message, Page,
  PageResult, StatusValue, Storage, TriggerValue,
} from '../../src/store/storage.ts';
import { Status, Trigger } from '../../src/store/types.ts';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures. Times are fixed epoch milliseconds far in the past, so only the store's own clock (where it uses one)
// sees "now"; every time the interface takes as a parameter is one of these.
// ---------------------------------------------------------------------------------------------------------------

export const T0 = 1_700_000_000_000;

export const mkApp = (id: string, over: Partial<App> = {}): App => ({
  id, uid: null, name: `app ${id}`, metadata: {}, throttleRate: null, createdAt: T0, updatedAt: T0, ...over,
});

export const mkEndpoint = (id: string, appId: string, over: Partial<Endpoint> = {}): Endpoint => ({
  id, appId, uid: null, url: `https://example.com/hook/${id}`, description: '', eventTypes: null, channels: null, disabled: false,
  throttleRate: null, concurrency: null, retrySchedule: null, requestTimeout: null, destination: null, chat: null, ordered: false, filter: null, metadata: {}, headers: {}, createdAt: T0, updatedAt: T0, ...over,
});

export const mkKey = (key: string, createdAt = T0, expiresAt: number | null = null): EndpointKey => ({ key, createdAt, expiresAt });

export const mkEventType = (name: string, over: Partial<EventType> = {}): EventType => ({
  name, description: `about ${name}`, schemas: null, archived: false, deprecated: false, featureFlags: null, groupName: null,
  createdAt: T0, updatedAt: T0, ...over,
});

export const mkMessage = (id: string, appId: string, over: Partial<Message> = {}): Message => ({
  id, appId, eventId: null, eventType: 'user.created', channels: null, tags: null, payload: `{"message":"${id}"}`,
  createdAt: T0, deliverAt: null, ...over,
});

let attemptSeq = 0;
/** Attempt ids whose byte order is their creation order (like KSUIDs), across upper and lower case. */
export const nextAttemptId = () => `atmpt_${(attemptSeq++).toString(36).padStart(6, '0')}`;

export const mkAttempt = (message: Message, endpointId: string, over: Partial<Attempt> = {}): Attempt => ({
  id: nextAttemptId(), appId: message.appId, messageId: message.id, endpointId, url: `https://example.com/hook/${endpointId}`,
  status: Status.Success, responseStatusCode: 200, response: 'ok', durationMs: 12, trigger: Trigger.Scheduled, createdAt: T0,
  request: { headers: { 'webhook-id': message.id, 'content-type': 'application/json', 'x-note': 'ünïcode "quoted"' }, sensitive: ['authorization'] },
  ...over,
});

/** An outcome for one delivery under `lease`: the attempt row plus the new delivery state. */
export function mkOutcome(
  d: { deliveryId: number; messageId: string; endpointId: string; appId: string; lease: number },
  state: { status: StatusValue; attempts: number; nextAttemptAt: number | null; code: number; at: number; trigger?: TriggerValue },
  attemptOver: Partial<Attempt> = {},
): AttemptOutcome {
  const attempt: Attempt = {
    id: nextAttemptId(), appId: d.appId, messageId: d.messageId, endpointId: d.endpointId, url: `https://example.com/hook/${d.endpointId}`,
    status: state.status === Status.Success ? Status.Success : Status.Fail, responseStatusCode: state.code,
    response: state.code === 0 ? '' : `HTTP ${state.code}`, durationMs: 5, trigger: state.trigger ?? Trigger.Scheduled, createdAt: state.at, request: null,
    ...attemptOver,
  };
  return { attempt, deliveryId: d.deliveryId, lease: d.lease, status: state.status, attempts: state.attempts, nextAttemptAt: state.nextAttemptAt };
}

export const page = (order: Page['order'] = 'ascending', limit = 1000, iterator: string | null = null): Page => ({ limit, iterator, order });

/** Byte order, which is the order of KSUID ids (0-9 < A-Z < a-z) and so creation order. */
export const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Ids chosen so that byte order differs from any case-insensitive or locale collation, inserted in a shuffled order:
 * a listing must come back in byte order regardless of insertion order.
 */
export const MIXED = ['aB', '0B', 'Zz', 'b_', '0a', 'A0', '9z', 'a0', 'B_', 'zZ'];

export async function expect409(promise: Promise<unknown>, what: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof HeraldError, `${what}: expected a HeraldError, got ${String(err)}`);
    assert.equal(err.statusCode, 409, `${what}: expected 409`);
    return true;
  }, what);
}

/** createMessage that must write (not replay); returns the delivery ids. */
export async function publish(
  store: Storage,
  message: Message,
  deliveries: [endpointId: string, admission: Admission][],
  times: { dueAt?: number; leaseUntil?: number } = {},
): Promise<number[]> {
  const result = await store.history.createMessage({
    message,
    deliveries: deliveries.map(([endpointId, admission]) => ({ endpointId, admission })),
    dueAt: times.dueAt ?? message.createdAt,
    leaseUntil: times.leaseUntil ?? message.createdAt + 60_000,
  });
  assert.ok('deliveryIds' in result, 'createMessage wrote the message');
  assert.equal(result.deliveryIds.length, deliveries.length);
  return result.deliveryIds;
}

export async function deliveriesOf(store: Storage, messageId: string): Promise<Delivery[]> {
  return (await store.history.listMessageDeliveries(messageId, page())).data;
}

export async function deliveryOf(store: Storage, messageId: string, endpointId: string): Promise<Delivery | undefined> {
  return (await deliveriesOf(store, messageId)).find((d) => d.endpointId === endpointId);
}

export const withoutLease = ({ lease: _lease, ...rest }: ClaimedDelivery) => rest;

// ---------------------------------------------------------------------------------------------------------------
// Pagination: a model of paginate() in src/store/sqlite/rows.ts, and a checker that holds a listing to it.
// ---------------------------------------------------------------------------------------------------------------

export interface PageShape {
  keys: string[];
  iterator: string | null;
  prevIterator: string | null;
  done: boolean;
}

/** The keyset pagination rules: what a page over these keys must be. */
export function modelPage(keys: string[], p: Page): PageShape {
  const ascendingKeys = [...keys].sort(byteOrder);
  const backwards = p.iterator?.startsWith('-') ?? false;
  const cursor = backwards ? p.iterator!.slice(1) : p.iterator;
  const ascending = (p.order === 'ascending') !== backwards;
  const rows = ascending
    ? ascendingKeys.filter((k) => !cursor || k > cursor)
    : [...ascendingKeys].reverse().filter((k) => !cursor || k < cursor);
  const hasMore = rows.length > p.limit;
  const items = rows.slice(0, p.limit);
  if (backwards) items.reverse();
  const first = items[0];
  const last = items[items.length - 1];
  if (first !== undefined && last !== undefined) return { keys: items, iterator: last, prevIterator: `-${first}`, done: !hasMore };
  if (backwards) return { keys: items, iterator: null, prevIterator: p.iterator, done: true };
  return { keys: items, iterator: cursor, prevIterator: null, done: true };
}

export async function checkPagination<T>(
  what: string,
  list: (p: Page) => Promise<PageResult<T>>,
  keyOf: (item: T) => string,
  expectedKeys: string[],
): Promise<void> {
  const ascendingKeys = [...expectedKeys].sort(byteOrder);
  const shape = (r: PageResult<T>): PageShape => ({ keys: r.data.map(keyOf), iterator: r.iterator, prevIterator: r.prevIterator, done: r.done });

  for (const order of ['ascending', 'descending'] as const) {
    const inOrder = order === 'ascending' ? ascendingKeys : [...ascendingKeys].reverse();

    // Walk forward 3 at a time: every item exactly once, in order, and `done` only on the last page.
    const pages: PageShape[] = [];
    let iterator: string | null = null;
    for (;;) {
      const r = shape(await list({ limit: 3, iterator, order }));
      assert.ok(r.keys.length <= 3, `${what} ${order}: a page holds at most limit items`);
      pages.push(r);
      if (r.done) break;
      assert.equal(r.keys.length, 3, `${what} ${order}: only the last page may be short`);
      iterator = r.iterator;
      assert.ok(pages.length <= expectedKeys.length + 2, `${what} ${order}: the forward walk ends`);
    }
    assert.deepEqual(pages.flatMap((p) => p.keys), inOrder, `${what} ${order}: the forward walk sees every item once, in order`);

    // Walk back from the last page with prevIterator: the items before it, each once, and then done.
    const lastPage = pages[pages.length - 1]!;
    const back: string[][] = [];
    let prev = lastPage.prevIterator;
    for (let guard = 0; prev !== null; guard++) {
      const r = shape(await list({ limit: 3, iterator: prev, order }));
      back.unshift(r.keys);
      if (r.done) break;
      prev = r.prevIterator;
      assert.ok(guard <= expectedKeys.length + 2, `${what} ${order}: the backward walk ends`);
    }
    assert.deepEqual(back.flat(), inOrder.slice(0, inOrder.length - lastPage.keys.length), `${what} ${order}: walking back sees every earlier item once`);

    // Every page from every position, forward and back, against the model.
    for (const limit of [1, 3, expectedKeys.length]) {
      for (const it of [null, ...ascendingKeys, ...ascendingKeys.map((k) => `-${k}`)]) {
        const p: Page = { limit, iterator: it, order };
        assert.deepEqual(shape(await list(p)), modelPage(expectedKeys, p), `${what}: page ${JSON.stringify(p)}`);
      }
    }
  }
}
