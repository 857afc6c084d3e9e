/**
 * Storage conformance: one suite, written against the `Store` interface only (no SQL), run against every backend.
 * SQLite (src/store/sqlite) defines today's semantics; every other backend must behave the same through the interface.
 *
 *   node --import tsx --test test/store-conformance.test.ts
 *
 * PostgreSQL runs when it answers at HERALD_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test);
 * otherwise its suite is skipped, or fails when CI=true. Each test gets a fresh store (own file / own schema).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeraldError } from '../src/lib/errors.ts';
import type {
  Admission, App, Attempt, AttemptOutcome, ClaimedDelivery, Delivery, Endpoint, EndpointKey, EventType, Message, Page,
  PageResult, StatusValue, Storage, StoreEvent, TriggerValue,
} from '../src/store/storage.ts';
import { Status, Trigger } from '../src/store/types.ts';
import { loadBackends, type Backend, type OpenedStore } from './helpers/stores.ts';

const backends = await loadBackends();

// ---------------------------------------------------------------------------------------------------------------
// Fixtures. Times are fixed epoch milliseconds far in the past, so only the store's own clock (where it uses one)
// sees "now"; every time the interface takes as a parameter is one of these.
// ---------------------------------------------------------------------------------------------------------------

const T0 = 1_700_000_000_000;

const mkApp = (id: string, over: Partial<App> = {}): App => ({
  id, uid: null, name: `app ${id}`, metadata: {}, throttleRate: null, createdAt: T0, updatedAt: T0, ...over,
});

const mkEndpoint = (id: string, appId: string, over: Partial<Endpoint> = {}): Endpoint => ({
  id, appId, uid: null, url: `https://example.com/hook/${id}`, description: '', eventTypes: null, channels: null, disabled: false,
  throttleRate: null, ordered: false, filter: null, metadata: {}, headers: {}, createdAt: T0, updatedAt: T0, ...over,
});

const mkKey = (key: string, createdAt = T0, expiresAt: number | null = null): EndpointKey => ({ key, createdAt, expiresAt });

const mkEventType = (name: string, over: Partial<EventType> = {}): EventType => ({
  name, description: `about ${name}`, schemas: null, archived: false, deprecated: false, featureFlags: null, groupName: null,
  createdAt: T0, updatedAt: T0, ...over,
});

const mkMessage = (id: string, appId: string, over: Partial<Message> = {}): Message => ({
  id, appId, eventId: null, eventType: 'user.created', channels: null, tags: null, payload: `{"message":"${id}"}`,
  createdAt: T0, deliverAt: null, ...over,
});

let attemptSeq = 0;
/** Attempt ids whose byte order is their creation order (like KSUIDs), across upper and lower case. */
const nextAttemptId = () => `atmpt_${(attemptSeq++).toString(36).padStart(6, '0')}`;

const mkAttempt = (message: Message, endpointId: string, over: Partial<Attempt> = {}): Attempt => ({
  id: nextAttemptId(), appId: message.appId, messageId: message.id, endpointId, url: `https://example.com/hook/${endpointId}`,
  status: Status.Success, responseStatusCode: 200, response: 'ok', durationMs: 12, trigger: Trigger.Scheduled, createdAt: T0,
  request: { headers: { 'webhook-id': message.id, 'content-type': 'application/json', 'x-note': 'ünïcode "quoted"' }, sensitive: ['authorization'] },
  ...over,
});

/** An outcome for one delivery under `lease`: the attempt row plus the new delivery state. */
function mkOutcome(
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

const page = (order: Page['order'] = 'ascending', limit = 1000, iterator: string | null = null): Page => ({ limit, iterator, order });

/** Byte order, which is the order of KSUID ids (0-9 < A-Z < a-z) and so creation order. */
const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Ids chosen so that byte order differs from any case-insensitive or locale collation, inserted in a shuffled order:
 * a listing must come back in byte order regardless of insertion order.
 */
const MIXED = ['aB', '0B', 'Zz', 'b_', '0a', 'A0', '9z', 'a0', 'B_', 'zZ'];

async function expect409(promise: Promise<unknown>, what: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof HeraldError, `${what}: expected a HeraldError, got ${String(err)}`);
    assert.equal(err.statusCode, 409, `${what}: expected 409`);
    return true;
  }, what);
}

/** createMessage that must write (not replay); returns the delivery ids. */
async function publish(
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

async function deliveriesOf(store: Storage, messageId: string): Promise<Delivery[]> {
  return (await store.history.listMessageDeliveries(messageId, page())).data;
}

async function deliveryOf(store: Storage, messageId: string, endpointId: string): Promise<Delivery | undefined> {
  return (await deliveriesOf(store, messageId)).find((d) => d.endpointId === endpointId);
}

const withoutLease = ({ lease: _lease, ...rest }: ClaimedDelivery) => rest;

// ---------------------------------------------------------------------------------------------------------------
// Pagination: a model of paginate() in src/store/sqlite/rows.ts, and a checker that holds a listing to it.
// ---------------------------------------------------------------------------------------------------------------

interface PageShape {
  keys: string[];
  iterator: string | null;
  prevIterator: string | null;
  done: boolean;
}

/** The keyset pagination rules: what a page over these keys must be. */
function modelPage(keys: string[], p: Page): PageShape {
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

async function checkPagination<T>(
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

// ---------------------------------------------------------------------------------------------------------------
// The suite.
// ---------------------------------------------------------------------------------------------------------------

for (const backend of backends) {
  if (backend.failure !== undefined) {
    const failure = backend.failure;
    describe(`store conformance: ${backend.name}`, () => {
      it(`${backend.name} is available`, () => assert.fail(failure));
    });
    continue;
  }
  describe(`store conformance: ${backend.name}`, backend.skip !== undefined ? { skip: backend.skip } : {}, () => conformance(backend));
}

function conformance(backend: Backend): void {
  /** A test with a fresh store of its own, removed afterwards. */
  const test = (name: string, fn: (store: Storage, opened: OpenedStore) => Promise<void>) =>
    it(name, async () => {
      const opened = await backend.open();
      try {
        await fn(opened.store, opened);
      } finally {
        await opened.cleanup();
      }
    });

  test('reports its dialect', async (store) => {
    assert.equal(store.dialect, backend.name);
  });

  test('expungeMessageContent removes the payload only; a claim then carries none', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const m = mkMessage('msg_1', 'app_A');
    await store.history.createMessage({ message: m, deliveries: [{ endpointId: 'ep_1', admission: 'due' }], dueAt: T0, leaseUntil: T0 + 1 });
    await store.history.expungeMessageContent('msg_1');
    assert.deepStrictEqual(await store.history.getMessage('app_A', 'msg_1'), { ...m, payload: null });
    const [claimed] = await store.queue.claimDueDeliveries(T0, T0 + 1_000, 10);
    assert.equal(claimed?.payload, null);
  });

  test('tallyDeliveries counts each message\'s deliveries by state: delivered, pending, failing (to be retried), failed', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    for (const ep of ['ep_1', 'ep_2', 'ep_3', 'ep_4']) await store.catalog.createEndpoint(mkEndpoint(ep, 'app_A'), mkKey(`k-${ep}`));
    const all = ['ep_1', 'ep_2', 'ep_3', 'ep_4'].map((endpointId) => ({ endpointId, admission: 'leased' as const }));
    await store.history.createMessage({ message: mkMessage('msg_mixed', 'app_A'), deliveries: all, dueAt: T0, leaseUntil: T0 + 1_000 });
    await store.history.createMessage({ message: mkMessage('msg_waiting', 'app_A'), deliveries: [{ endpointId: 'ep_1', admission: 'due' }], dueAt: T0 + 60_000, leaseUntil: T0 + 1 });
    await store.history.createMessage({ message: mkMessage('msg_nobody', 'app_A'), deliveries: [], dueAt: T0, leaseUntil: T0 + 1 });
    const mixed = (await store.history.listMessageDeliveries('msg_mixed', { limit: 10, iterator: null, order: 'ascending' })).data;
    const outcome = (endpointId: string, status: StatusValue, attempts: number, nextAttemptAt: number | null) => ({
      deliveryId: mixed.find((d) => d.endpointId === endpointId)!.id, lease: 0, status, attempts, nextAttemptAt,
      attempt: mkAttempt(mkMessage('msg_mixed', 'app_A'), endpointId, { status, responseStatusCode: status === Status.Success ? 200 : 503 }),
    });
    // ep_4's delivery stays leased and unattempted: pending.
    await store.queue.recordOutcomes([outcome('ep_1', Status.Success, 1, null), outcome('ep_2', Status.Pending, 2, T0 + 5_000), outcome('ep_3', Status.Fail, 3, null)]);

    const tallies = await store.history.tallyDeliveries(['msg_mixed', 'msg_waiting', 'msg_nobody', 'msg_unknown']);
    assert.deepStrictEqual(tallies.get('msg_mixed'), { delivered: 1, pending: 1, failing: 1, failed: 1 });
    assert.deepStrictEqual(tallies.get('msg_waiting'), { delivered: 0, pending: 1, failing: 0, failed: 0 });
    assert.equal(tallies.has('msg_nobody'), false, 'no deliveries: left out');
    assert.equal(tallies.has('msg_unknown'), false);
    assert.equal((await store.history.tallyDeliveries([])).size, 0);
  });

  test('endpoint health: a failing run starts at the first exhausted delivery and ends with any success', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k1'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k2'));
    assert.equal(await store.catalog.noteEndpointExhausted('ep_1', T0), T0);
    assert.equal(await store.catalog.noteEndpointExhausted('ep_1', T0 + 500), T0, 'the run keeps its start');
    assert.equal(await store.catalog.noteEndpointExhausted('ep_2', T0 + 700), T0 + 700);
    await store.catalog.noteEndpointsSucceeded(['ep_1']);
    assert.equal(await store.catalog.noteEndpointExhausted('ep_1', T0 + 900), T0 + 900, 'a success ended the run; a new one starts');
    assert.equal(await store.catalog.noteEndpointExhausted('ep_2', T0 + 900), T0 + 700, 'the other endpoint is untouched');
    assert.equal(await store.catalog.noteEndpointExhausted('ep_missing', T0), undefined);
    assert.deepStrictEqual(await store.catalog.getEndpointById('ep_1'), mkEndpoint('ep_1', 'app_A'), 'the endpoint itself reads back unchanged');
  });

  test('retention: expired payloads go with their response bodies; old finished messages go with everything', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const make = async (id: string, createdAt: number, payloadExpiresAt: number | null, admission: 'due' | 'leased') => {
      await store.history.createMessage({
        message: mkMessage(id, 'app_A', { createdAt }), deliveries: [{ endpointId: 'ep_1', admission }], dueAt: createdAt, leaseUntil: createdAt + 1_000_000, payloadExpiresAt,
      });
    };
    await make('msg_old_done', T0, T0 + 10, 'leased');
    await make('msg_old_pending', T0 + 1, null, 'due');
    await make('msg_new', T0 + 5_000, null, 'leased');
    const [claimed] = await store.queue.claimDueDeliveries(T0 + 2, T0 + 1_000, 1);
    assert.equal(claimed?.messageId, 'msg_old_pending');
    // msg_old_done and msg_new were leased at creation (lease 0): record their successes.
    const deliveries = (await store.history.listEndpointDeliveries('ep_1', {}, { limit: 10, iterator: null, order: 'ascending' })).data;
    const done = (messageId: string) => {
      const d = deliveries.find((x) => x.message.id === messageId)!.delivery;
      return { deliveryId: d.id, lease: 0, status: 0 as const, attempts: 1, nextAttemptAt: null,
        attempt: mkAttempt(mkMessage(messageId, 'app_A'), 'ep_1', { id: `atmpt_${messageId}`, response: 'body of ' + messageId }) };
    };
    await store.queue.recordOutcomes([done('msg_old_done'), done('msg_new')]);

    assert.equal(await store.history.expirePayloads(T0 + 9, 10), 0, 'not yet expired');
    assert.equal(await store.history.expirePayloads(T0 + 10, 10), 1);
    assert.equal((await store.history.getMessage('app_A', 'msg_old_done'))?.payload, null);
    assert.equal((await store.history.getAttempt('msg_old_done', 'atmpt_msg_old_done'))?.response, '', 'the response body expires too');
    assert.equal((await store.history.getAttempt('msg_new', 'atmpt_msg_new'))?.response, 'body of msg_new');

    await store.history.putIdempotentResponse('s', 'old-key', { statusCode: 202, body: '{}' }, T0 + 100);
    assert.equal(await store.history.countMessagesBefore(T0 + 1_000), 2);
    assert.equal(await store.history.pruneMessages(T0 + 1_000, T0 + 200, 10), 1, 'only the finished old message goes');
    assert.equal(await store.history.getMessage('app_A', 'msg_old_done'), undefined);
    assert.equal(await store.history.getAttempt('msg_old_done', 'atmpt_msg_old_done'), undefined, 'its attempts went with it');
    assert.ok(await store.history.getMessage('app_A', 'msg_old_pending'), 'a message still being delivered stays');
    assert.ok(await store.history.getMessage('app_A', 'msg_new'));
    assert.equal(await store.history.getIdempotentResponse('s', 'old-key', T0), undefined, 'expired idempotency records are purged');
    assert.equal(await store.history.pruneMessages(T0 + 1_000, T0 + 200, 10), 0);
  });

  test('background tasks: created, claimed by one taker at a time, saved; replays read messages with their delivery status', async (store, opened) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k2'));
    for (const [id, at] of [['msg_1', T0], ['msg_2', T0 + 10], ['msg_3', T0 + 20]] as const) {
      await store.history.createMessage({ message: mkMessage(id, 'app_A', { createdAt: at }), deliveries: id === 'msg_3' ? [] : [{ endpointId: 'ep_1', admission: 'due' }], dueAt: at, leaseUntil: at });
    }
    const rows = await store.tasks.messagesForReplay('app_A', 'ep_1', T0, T0 + 20, null, 10);
    assert.deepEqual(rows.map((r) => [r.message.id, r.deliveryStatus]), [['msg_1', 1], ['msg_2', 1]], 'until is exclusive');
    assert.deepEqual((await store.tasks.messagesForReplay('app_A', 'ep_1', T0, null, 'msg_1', 10)).map((r) => [r.message.id, r.deliveryStatus]), [['msg_2', 1], ['msg_3', null]]);
    assert.deepEqual((await store.tasks.messagesForReplay('app_A', 'ep_2', T0 + 5, null, null, 1)).map((r) => r.message.id), ['msg_2']);
    assert.equal(await store.tasks.countMessagesForReplay('app_A', T0, T0 + 20), 2, 'the messages a replay walks: until is exclusive');
    assert.equal(await store.tasks.countMessagesForReplay('app_A', T0 + 5, null), 2);
    assert.equal(await store.tasks.countMessagesForReplay('app_B', T0, null), 0, 'only the app\'s own');

    const task = {
      id: 'qtask_1', kind: 'endpoint.recover' as const, status: 'running' as const, appId: 'app_A', endpointId: 'ep_1',
      params: { since: T0, until: null, filter: { eventTypes: ['a'] } }, cursor: null, total: 3, processed: 0, scheduled: 0, leaseUntil: null,
      error: null, createdAt: T0, updatedAt: T0,
    };
    await store.tasks.createTask(task);
    assert.deepStrictEqual(await store.tasks.getTask('qtask_1'), task);
    const other = await opened.another();
    const [a, b] = await Promise.all([store.tasks.claimTask(T0, T0 + 100), other.tasks.claimTask(T0, T0 + 100)]);
    assert.equal([a, b].filter(Boolean).length, 1, 'one taker wins');
    assert.equal(await store.tasks.claimTask(T0 + 50, T0 + 150), undefined, 'held until its lease ends');
    const again = await store.tasks.claimTask(T0 + 101, T0 + 200);
    assert.equal(again?.leaseUntil, T0 + 200, 'taken back after the lease ran out');
    await store.tasks.saveTask({ ...task, status: 'finished', cursor: 'msg_2', processed: 2, scheduled: 1, leaseUntil: null, updatedAt: T0 + 300 });
    assert.deepStrictEqual(await store.tasks.getTask('qtask_1'), { ...task, status: 'finished', cursor: 'msg_2', processed: 2, scheduled: 1, updatedAt: T0 + 300 });
    assert.equal(await store.tasks.claimTask(T0 + 1_000, T0 + 2_000), undefined, 'a finished task is not taken');
    assert.deepEqual((await store.tasks.listTasks({ limit: 10, iterator: null, order: 'descending' })).data.map((t) => t.id), ['qtask_1']);
  });

  test('ordered delivery: deliveries wait their turn and are promoted one at a time, oldest first', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_o', 'app_A', { ordered: true }), mkKey('k'));
    assert.equal((await store.catalog.getEndpointById('ep_o'))?.ordered, true);
    const ids: number[] = [];
    for (const [n, deliverAt] of [[1, null], [2, null], [3, T0 + 500]] as const) {
      const created = await store.history.createMessage({
        message: mkMessage(`msg_${n}`, 'app_A', { createdAt: T0 + n, deliverAt }), deliveries: [{ endpointId: 'ep_o', admission: 'turn' }], dueAt: T0, leaseUntil: T0,
      });
      ids.push(...('deliveryIds' in created ? created.deliveryIds : []));
    }
    assert.deepEqual(await store.queue.claimDueDeliveries(T0 + 10_000, T0 + 20_000, 10), [], 'waiting rows are never due by themselves');
    assert.deepEqual(await store.queue.claimParkedDeliveries('ep_o', T0 + 20_000, 10), [], 'nor taken as parked');
    assert.equal(await store.queue.unparkStale(T0 + 1_000_000, T0), 0);
    assert.deepEqual(await store.queue.endpointsWaitingTurn(), ['ep_o']);

    assert.equal(await store.queue.promoteNextInOrder('ep_o', T0 + 10), true);
    assert.equal(await store.queue.promoteNextInOrder('ep_o', T0 + 10), false, 'one at a time: the first is now active');
    const [first] = await store.queue.claimDueDeliveries(T0 + 10, T0 + 1_000, 10);
    assert.equal(first?.messageId, 'msg_1');
    assert.equal(await store.queue.promoteNextInOrder('ep_o', T0 + 20), false, 'still active while being sent');
    const outcome = (status: 0 | 1 | 2, next: number | null) => ({
      deliveryId: first!.deliveryId, lease: first!.lease, status, attempts: 1, nextAttemptAt: next,
      attempt: mkAttempt(mkMessage('msg_1', 'app_A'), 'ep_o'),
    });
    await store.queue.recordOutcomes([outcome(1, T0 + 100)]);
    assert.equal(await store.queue.promoteNextInOrder('ep_o', T0 + 30), false, 'a retry pending still holds the turn');
    const [retry] = await store.queue.claimDueDeliveries(T0 + 100, T0 + 1_000, 10);
    await store.queue.recordOutcomes([{ ...outcome(2, null), lease: retry!.lease }]);
    assert.equal(await store.queue.promoteNextInOrder('ep_o', T0 + 200), true, 'failed for good: the next one goes');
    const [second] = await store.queue.claimDueDeliveries(T0 + 200, T0 + 1_000, 10);
    assert.equal(second?.messageId, 'msg_2');
    await store.queue.recordOutcomes([{ ...outcome(0, null), deliveryId: second!.deliveryId, lease: second!.lease }]);
    assert.equal(await store.queue.promoteNextInOrder('ep_o', T0 + 300), true);
    assert.deepEqual(await store.queue.claimDueDeliveries(T0 + 300, T0 + 1_000, 10), [], 'the third honours its deliverAt');
    assert.equal((await store.queue.claimDueDeliveries(T0 + 500, T0 + 1_000, 10))[0]?.messageId, 'msg_3');
    assert.deepEqual(await store.queue.endpointsWaitingTurn(), []);
  });

  // ----- throttle token buckets --------------------------------------------------------------------------------

  test('takeTokens: buckets start full, refill at their rate, and every bucket gives the same number', async (store) => {
    const ep = { key: 'ep:x', ratePerSecond: 5 };
    const app = { key: 'app:x', ratePerSecond: 3 };
    assert.equal(await store.queue.takeTokens([ep], 4, T0), 4);
    assert.equal(await store.queue.takeTokens([ep], 4, T0), 1, 'one left of the first second');
    assert.equal(await store.queue.takeTokens([ep], 4, T0 + 100), 0, 'half a token is not one');
    assert.equal(await store.queue.takeTokens([ep], 4, T0 + 400), 2, 'refilled 2 tokens in 400 ms');
    assert.equal(await store.queue.takeTokens([ep, app], 10, T0 + 5_000), 3, 'the app bucket, full at 3, limits both');
    assert.equal(await store.queue.takeTokens([ep], 10, T0 + 5_000), 2, 'the endpoint bucket gave only those 3');
    assert.equal(await store.queue.takeTokens([app], 10, T0 + 5_000), 0);
  });

  test('takeTokens: concurrent takers from two handles never get more than the bucket holds', async (store, opened) => {
    const other = await opened.another();
    const bucket = [{ key: 'ep:shared', ratePerSecond: 20 }];
    const grants = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? store : other).queue.takeTokens(bucket, 3, T0)));
    assert.equal(grants.reduce((a, b) => a + b, 0), 20, 'exactly the 20 tokens of a full bucket, across both');
  });

  // ----- settings and idempotency ------------------------------------------------------------------------------

  test('settings: missing is undefined; set, get, overwrite', async (store) => {
    assert.equal(await store.settings.getSetting('admin_token_hash'), undefined);
    await store.settings.setSetting('admin_token_hash', 'first ✓');
    await store.settings.setSetting('other', 'x');
    assert.equal(await store.settings.getSetting('admin_token_hash'), 'first ✓');
    await store.settings.setSetting('admin_token_hash', 'second');
    assert.equal(await store.settings.getSetting('admin_token_hash'), 'second');
    assert.equal(await store.settings.getSetting('other'), 'x');
  });

  test('idempotency: put/get by scope and key; expired at expiresAt; overwrite', async (store) => {
    assert.equal(await store.history.getIdempotentResponse('app_1', 'k', T0), undefined);
    const body = '{"id":"msg_1",  "x": "é"}';
    await store.history.putIdempotentResponse('app_1', 'k', { statusCode: 202, body }, T0 + 1000);
    assert.deepEqual(await store.history.getIdempotentResponse('app_1', 'k', T0), { statusCode: 202, body });
    assert.deepEqual(await store.history.getIdempotentResponse('app_1', 'k', T0 + 999), { statusCode: 202, body });
    assert.equal(await store.history.getIdempotentResponse('app_1', 'k', T0 + 1000), undefined, 'expired at expiresAt');
    assert.equal(await store.history.getIdempotentResponse('app_2', 'k', T0), undefined, 'another scope');
    assert.equal(await store.history.getIdempotentResponse('app_1', 'K', T0), undefined, 'another key');

    await store.history.putIdempotentResponse('app_1', 'k', { statusCode: 409, body: 'again' }, T0 + 5000);
    assert.deepEqual(await store.history.getIdempotentResponse('app_1', 'k', T0 + 2000), { statusCode: 409, body: 'again' }, 'overwritten');

    await store.history.putIdempotentResponse('app_1', 'old', { statusCode: 200, body: '' }, T0 - 1);
    assert.equal(await store.history.getIdempotentResponse('app_1', 'old', T0), undefined, 'an expired response is not returned');
  });

  // ----- applications ------------------------------------------------------------------------------------------

  test('apps: create, get by id and by uid, every field round-trips', async (store) => {
    const a = mkApp('app_2Ab', { uid: 'customer-1', name: 'Acme ✓', metadata: { tier: 'gold', 'x-y': '' }, throttleRate: 25, createdAt: T0 + 1, updatedAt: T0 + 2 });
    const b = mkApp('app_2AB');
    await store.catalog.createApp(a);
    await store.catalog.createApp(b);
    assert.deepStrictEqual(await store.catalog.getApp(a.id), a);
    assert.deepStrictEqual(await store.catalog.getApp('customer-1'), a);
    assert.deepStrictEqual(await store.catalog.getApp(b.id), b);
    assert.equal(await store.catalog.getApp('app_2ab'), undefined, 'ids are case-sensitive');
    assert.equal(await store.catalog.getApp('CUSTOMER-1'), undefined, 'uids are case-sensitive');
    assert.equal(await store.catalog.getApp('nope'), undefined);
  });

  test('apps: duplicate uid or id is a 409; any number of apps without uid', async (store) => {
    await store.catalog.createApp(mkApp('app_1', { uid: 'same' }));
    await expect409(store.catalog.createApp(mkApp('app_2', { uid: 'same' })), 'duplicate app uid');
    assert.equal(await store.catalog.getApp('app_2'), undefined, 'the rejected app was not written');
    await expect409(store.catalog.createApp(mkApp('app_1', { uid: 'other' })), 'duplicate app id');
    await store.catalog.createApp(mkApp('app_3'));
    await store.catalog.createApp(mkApp('app_4'));
    assert.equal((await store.catalog.listApps(page())).data.length, 3);
  });

  test('apps: update, update to a taken uid is a 409, delete', async (store) => {
    const a = mkApp('app_1', { uid: 'one' });
    const b = mkApp('app_2', { uid: 'two', metadata: { k: 'v' } });
    await store.catalog.createApp(a);
    await store.catalog.createApp(b);
    const changed: App = { ...a, uid: 'uno', name: 'renamed', metadata: { a: '1', b: '2' }, throttleRate: 7, updatedAt: T0 + 50 };
    await store.catalog.updateApp(changed);
    assert.deepStrictEqual(await store.catalog.getApp('app_1'), changed);
    assert.deepStrictEqual(await store.catalog.getApp('uno'), changed);
    assert.equal(await store.catalog.getApp('one'), undefined, 'the old uid no longer finds it');
    const cleared: App = { ...changed, uid: null, throttleRate: null, metadata: {}, updatedAt: T0 + 60 };
    await store.catalog.updateApp(cleared);
    assert.deepStrictEqual(await store.catalog.getApp('app_1'), cleared);

    await expect409(store.catalog.updateApp({ ...cleared, uid: 'two' }), 'update to a taken uid');
    assert.deepStrictEqual(await store.catalog.getApp('app_1'), cleared, 'the rejected update changed nothing');

    await store.catalog.deleteApp('app_1');
    assert.equal(await store.catalog.getApp('app_1'), undefined);
    assert.deepStrictEqual(await store.catalog.getApp('app_2'), b, 'another app is untouched');
    await store.catalog.createApp(mkApp('app_3', { uid: 'uno' }));
    assert.equal((await store.catalog.getApp('uno'))?.id, 'app_3', 'a deleted app frees its uid');
  });

  test('apps: list pagination (ascending, descending, limit, iterator, prevIterator, done)', async (store) => {
    const ids = MIXED.slice(0, 8).map((s) => `app_${s}`);
    for (const id of ids) await store.catalog.createApp(mkApp(id));
    const all = await store.catalog.listApps(page());
    assert.deepStrictEqual(all.data[0], mkApp([...ids].sort(byteOrder)[0]!), 'listed apps are whole apps');
    await checkPagination('listApps', (p) => store.catalog.listApps(p), (a) => a.id, ids);
    const empty = await backend.open(); // a separate, empty store
    try {
      assert.deepStrictEqual(await empty.store.catalog.listApps(page('ascending', 10)), { data: [], iterator: null, prevIterator: null, done: true });
    } finally {
      await empty.cleanup();
    }
  });

  // ----- event types -------------------------------------------------------------------------------------------

  test('event types: create and get round-trip; duplicate name is a 409', async (store) => {
    const full = mkEventType('invoice.paid', {
      description: 'An invoice was paid',
      schemas: { '1': { type: 'object', properties: { amount: { type: 'integer' } }, required: ['amount'] } },
      deprecated: true, featureFlags: ['beta', 'billing'], groupName: 'invoice', createdAt: T0 + 1, updatedAt: T0 + 2,
    });
    const bare = mkEventType('user.created');
    await store.catalog.createEventType(full);
    await store.catalog.createEventType(bare);
    assert.deepStrictEqual(await store.catalog.getEventType('invoice.paid'), full);
    assert.deepStrictEqual(await store.catalog.getEventType('user.created'), bare);
    assert.equal(await store.catalog.getEventType('User.created'), undefined, 'names are case-sensitive');
    assert.equal(await store.catalog.getEventType('nope'), undefined);
    await expect409(store.catalog.createEventType(mkEventType('invoice.paid', { description: 'again' })), 'duplicate event type');
    assert.deepStrictEqual(await store.catalog.getEventType('invoice.paid'), full, 'the rejected create changed nothing');
  });

  test('event types: update; delete archives or expunges; list hides archived unless asked', async (store) => {
    await store.catalog.createEventType(mkEventType('a.one'));
    await store.catalog.createEventType(mkEventType('b.two'));
    await store.catalog.createEventType(mkEventType('c.three'));
    const updated = mkEventType('a.one', { description: 'new', schemas: { '2': { type: 'string' } }, featureFlags: ['f'], groupName: 'a', updatedAt: T0 + 5 });
    await store.catalog.updateEventType(updated);
    assert.deepStrictEqual(await store.catalog.getEventType('a.one'), updated);

    await store.catalog.deleteEventType('b.two', false);
    const archived = await store.catalog.getEventType('b.two');
    assert.ok(archived, 'an archived event type still exists');
    assert.equal(archived.archived, true);
    assert.equal(typeof archived.updatedAt, 'number');
    assert.ok(archived.updatedAt > T0, 'archiving touches updatedAt');
    const names = async (includeArchived: boolean) => (await store.catalog.listEventTypes(page(), includeArchived)).data.map((e) => e.name);
    assert.deepEqual(await names(false), ['a.one', 'c.three']);
    assert.deepEqual(await names(true), ['a.one', 'b.two', 'c.three']);

    // Unarchiving is an update.
    await store.catalog.updateEventType({ ...archived, archived: false });
    assert.deepEqual(await names(false), ['a.one', 'b.two', 'c.three']);

    await store.catalog.deleteEventType('c.three', true);
    assert.equal(await store.catalog.getEventType('c.three'), undefined, 'expunged');
    assert.deepEqual(await names(true), ['a.one', 'b.two']);
    await store.catalog.createEventType(mkEventType('c.three'));
    assert.ok(await store.catalog.getEventType('c.three'), 'an expunged name can be created again');
  });

  test('event types: list pagination, with and without archived', async (store) => {
    const names = ['user.created', 'Order.Created', 'a-b', 'a.a', 'aB', 'a_c', 'b', 'invoice.paid', 'Zeta', 'a.b.c'];
    const archived = new Set(['a.a', 'Zeta', 'b']);
    for (const name of names) await store.catalog.createEventType(mkEventType(name, { archived: archived.has(name) }));
    assert.deepStrictEqual((await store.catalog.listEventTypes(page(), true)).data[0], mkEventType('Order.Created'));
    await checkPagination('listEventTypes(all)', (p) => store.catalog.listEventTypes(p, true), (e) => e.name, names);
    await checkPagination('listEventTypes(live)', (p) => store.catalog.listEventTypes(p, false), (e) => e.name, names.filter((n) => !archived.has(n)));
  });

  // ----- endpoints and keys ------------------------------------------------------------------------------------

  test('endpoints: create, get by id and uid scoped to the app, every field round-trips', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createApp(mkApp('app_B'));
    const ep = mkEndpoint('ep_1', 'app_A', {
      uid: 'orders', url: 'https://example.com/a?b=c', description: 'Orders ✓', eventTypes: ['invoice.paid', 'user.created'],
      channels: ['eu', 'project_1'], disabled: true, throttleRate: 10, metadata: { team: 'x' }, headers: { 'X-Token': 'abc', 'x-other': '1' },
      createdAt: T0 + 1, updatedAt: T0 + 2,
    });
    const other = mkEndpoint('ep_2', 'app_B', { uid: 'billing' });
    await store.catalog.createEndpoint(ep, mkKey('a2V5MQ=='));
    await store.catalog.createEndpoint(other, mkKey('a2V5Mg=='));

    assert.deepStrictEqual(await store.catalog.getEndpoint('app_A', 'ep_1'), ep);
    assert.deepStrictEqual(await store.catalog.getEndpoint('app_A', 'orders'), ep);
    assert.deepStrictEqual(await store.catalog.getEndpointById('ep_1'), ep);
    assert.deepStrictEqual(await store.catalog.getEndpointById('ep_2'), other);
    assert.equal(await store.catalog.getEndpoint('app_A', 'ep_2'), undefined, "another app's endpoint is not found by id");
    assert.equal(await store.catalog.getEndpoint('app_A', 'billing'), undefined, "another app's endpoint is not found by uid");
    assert.equal(await store.catalog.getEndpoint('app_B', 'ep_1'), undefined);
    assert.equal(await store.catalog.getEndpoint('app_A', 'nope'), undefined);
    assert.equal(await store.catalog.getEndpointById('nope'), undefined);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_1', T0), [mkKey('a2V5MQ==')]);
  });

  test('endpoints: uid unique per app (409), free across apps; a rejected create writes nothing', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createApp(mkApp('app_B'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A', { uid: 'same' }), mkKey('k1'));
    await expect409(store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A', { uid: 'same' }), mkKey('k2')), 'duplicate endpoint uid');
    assert.equal(await store.catalog.getEndpointById('ep_2'), undefined);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_2', T0), [], 'no key was written for the rejected endpoint');
    await store.catalog.createEndpoint(mkEndpoint('ep_3', 'app_B', { uid: 'same' }), mkKey('k3'));
    assert.equal((await store.catalog.getEndpoint('app_B', 'same'))?.id, 'ep_3');
    assert.equal((await store.catalog.getEndpoint('app_A', 'same'))?.id, 'ep_1');
    await store.catalog.createEndpoint(mkEndpoint('ep_4', 'app_A'), mkKey('k4'));
    await store.catalog.createEndpoint(mkEndpoint('ep_5', 'app_A'), mkKey('k5'));
    await expect409(store.catalog.updateEndpoint(mkEndpoint('ep_4', 'app_A', { uid: 'same' })), 'update to a taken endpoint uid');
    assert.equal((await store.catalog.getEndpointById('ep_4'))?.uid, null, 'the rejected update changed nothing');
  });

  test('endpoints: listAllEndpoints, update, delete', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createApp(mkApp('app_B'));
    const ids = ['ep_b', 'ep_B', 'ep_a', 'ep_0'];
    for (const id of ids) await store.catalog.createEndpoint(mkEndpoint(id, 'app_A'), mkKey(`key-${id}`));
    await store.catalog.createEndpoint(mkEndpoint('ep_other', 'app_B'), mkKey('x'));
    const all = await store.catalog.listAllEndpoints('app_A');
    assert.deepStrictEqual(all, [...ids].sort(byteOrder).map((id) => mkEndpoint(id, 'app_A')), "every endpoint of the app, by id");
    assert.deepStrictEqual(await store.catalog.listAllEndpoints('app_none'), []);

    const changed = mkEndpoint('ep_a', 'app_A', {
      uid: 'u', url: 'https://example.org/new', description: 'd', eventTypes: ['x'], channels: ['c'], disabled: true, throttleRate: 3,
      metadata: { m: '1' }, headers: { h: '2' }, updatedAt: T0 + 9,
    });
    await store.catalog.updateEndpoint(changed);
    assert.deepStrictEqual(await store.catalog.getEndpoint('app_A', 'u'), changed);
    const back = { ...changed, uid: null, eventTypes: null, channels: null, disabled: false, throttleRate: null, updatedAt: T0 + 10 };
    await store.catalog.updateEndpoint(back);
    assert.deepStrictEqual(await store.catalog.getEndpointById('ep_a'), back);

    assert.equal(await store.catalog.disableEndpoint('ep_a', T0 + 11), true, 'an enabled endpoint is disabled');
    assert.deepStrictEqual(await store.catalog.getEndpointById('ep_a'), { ...back, disabled: true, updatedAt: T0 + 11 });
    assert.equal(await store.catalog.disableEndpoint('ep_a', T0 + 12), false, 'disabling twice changes nothing');
    assert.equal((await store.catalog.getEndpointById('ep_a'))?.updatedAt, T0 + 11);
    assert.equal(await store.catalog.disableEndpoint('ep_missing', T0 + 12), false);

    await store.catalog.deleteEndpoint('ep_a');
    assert.equal(await store.catalog.getEndpointById('ep_a'), undefined);
    assert.equal(await store.catalog.getEndpoint('app_A', 'ep_a'), undefined);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_a', T0), [], 'its keys went with it');
    assert.deepEqual((await store.catalog.listAllEndpoints('app_A')).map((e) => e.id), ['ep_0', 'ep_B', 'ep_b']);
  });

  test('endpoints: list pagination per app', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createApp(mkApp('app_B'));
    const ids = MIXED.map((s) => `ep_${s}`);
    for (const id of ids) await store.catalog.createEndpoint(mkEndpoint(id, 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_5other', 'app_B'), mkKey('k'));
    await checkPagination('listEndpoints', (p) => store.catalog.listEndpoints('app_A', p), (e) => e.id, ids);
  });

  test('endpoint keys: current first; rotation keeps the old key until its expiry and drops expired ones', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('K0', T0));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('OTHER', T0));
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_1', T0), [mkKey('K0', T0)]);

    await store.catalog.rotateEndpointKey('ep_1', mkKey('K1', T0 + 1000), T0 + 2000);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_1', T0 + 1000), [mkKey('K1', T0 + 1000), mkKey('K0', T0, T0 + 2000)]);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_1', T0 + 1999), [mkKey('K1', T0 + 1000), mkKey('K0', T0, T0 + 2000)]);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_1', T0 + 2000), [mkKey('K1', T0 + 1000)], 'the old key stops signing at its expiry');

    // A second rotation inside the grace period: both older keys still sign, newest first after the current one.
    await store.catalog.rotateEndpointKey('ep_1', mkKey('K2', T0 + 1500), T0 + 2500);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_1', T0 + 1500), [
      mkKey('K2', T0 + 1500), mkKey('K1', T0 + 1000, T0 + 2500), mkKey('K0', T0, T0 + 2000),
    ]);

    // A rotation once both older keys expired (K1 exactly at that moment) drops them: even asking at time 0 they are gone.
    await store.catalog.rotateEndpointKey('ep_1', mkKey('K3', T0 + 2500), T0 + 4000);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_1', 0), [mkKey('K3', T0 + 2500), mkKey('K2', T0 + 1500, T0 + 4000)]);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_1', T0 + 4000), [mkKey('K3', T0 + 2500)]);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_2', T0 + 4000), [mkKey('OTHER', T0)], 'another endpoint is untouched');
  });

  test('endpointStats: counts deliveries by status, filtered by message time [since, until)', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k'));
    const msgs = [0, 10, 20, 30, 40, 50].map((dt, i) => mkMessage(`msg_${i}`, 'app_A', { createdAt: T0 + dt }));
    const [ok] = await publish(store, msgs[0]!, [['ep_1', 'leased'], ['ep_2', 'due']]);
    const [failed] = await publish(store, msgs[1]!, [['ep_1', 'leased']]);
    await publish(store, msgs[2]!, [['ep_1', 'due'], ['ep_2', 'due']]);
    await publish(store, msgs[3]!, [['ep_1', 'leased']]);
    await publish(store, msgs[4]!, [['ep_1', 'parked']]);
    const [retrying] = await publish(store, msgs[5]!, [['ep_1', 'leased']]);
    const d = (id: number | undefined, m: Message) => ({ deliveryId: id!, messageId: m.id, endpointId: 'ep_1', appId: 'app_A', lease: 0 });
    await store.queue.recordOutcomes([
      mkOutcome(d(ok, msgs[0]!), { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 100 }),
      mkOutcome(d(failed, msgs[1]!), { status: Status.Fail, attempts: 5, nextAttemptAt: null, code: 500, at: T0 + 100 }),
      mkOutcome(d(retrying, msgs[5]!), { status: Status.Pending, attempts: 1, nextAttemptAt: T0 + 9000, code: 503, at: T0 + 100 }),
    ]);
    const stats = (since: number | null, until: number | null) => store.stats.endpointStats('ep_1', since, until);
    assert.deepStrictEqual(await stats(null, null), { success: 1, pending: 3, sending: 1, fail: 1, canceled: 0 });
    assert.deepStrictEqual(await stats(T0 + 10, T0 + 30), { success: 0, pending: 1, sending: 0, fail: 1, canceled: 0 }, 'since inclusive, until exclusive');
    assert.deepStrictEqual(await stats(T0 + 30, null), { success: 0, pending: 2, sending: 1, fail: 0, canceled: 0 });
    assert.deepStrictEqual(await stats(null, T0 + 1), { success: 1, pending: 0, sending: 0, fail: 0, canceled: 0 });
    assert.deepStrictEqual(await store.stats.endpointStats('ep_2', null, null), { success: 0, pending: 2, sending: 0, fail: 0, canceled: 0 });
    assert.deepStrictEqual(await store.stats.endpointStats('ep_none', null, null), { success: 0, pending: 0, sending: 0, fail: 0, canceled: 0 });
  });

  // ----- messages ----------------------------------------------------------------------------------------------

  test('createMessage: deliveries per admission, ids in input order', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    for (const id of ['ep_a', 'ep_B', 'ep_c', 'ep_D']) await store.catalog.createEndpoint(mkEndpoint(id, 'app_A'), mkKey('k'));
    const m = mkMessage('msg_1', 'app_A', { createdAt: T0 + 7 });
    const ids = await publish(store, m, [['ep_c', 'leased'], ['ep_a', 'due'], ['ep_B', 'parked'], ['ep_D', 'due']], { dueAt: T0 + 100, leaseUntil: T0 + 500 });
    for (const id of ids) assert.equal(typeof id, 'number', 'delivery ids are numbers');
    assert.equal(new Set(ids).size, 4, 'delivery ids are distinct');
    const base = { messageId: 'msg_1', attempts: 0, lastStatusCode: null, trigger: Trigger.Scheduled, updatedAt: T0 + 7 };
    const byEndpoint = new Map((await deliveriesOf(store, 'msg_1')).map((d) => [d.endpointId, d]));
    assert.equal(byEndpoint.size, 4);
    assert.deepStrictEqual(byEndpoint.get('ep_c'), { ...base, id: ids[0], endpointId: 'ep_c', status: Status.Sending, nextAttemptAt: T0 + 500 }, 'leased: sending until leaseUntil');
    assert.deepStrictEqual(byEndpoint.get('ep_a'), { ...base, id: ids[1], endpointId: 'ep_a', status: Status.Pending, nextAttemptAt: T0 + 100 }, 'due: pending at dueAt');
    assert.deepStrictEqual(byEndpoint.get('ep_B'), { ...base, id: ids[2], endpointId: 'ep_B', status: Status.Pending, nextAttemptAt: null }, 'parked: pending, no due time');
    assert.deepStrictEqual(byEndpoint.get('ep_D'), { ...base, id: ids[3], endpointId: 'ep_D', status: Status.Pending, nextAttemptAt: T0 + 100 });

    const none = await store.history.createMessage({ message: mkMessage('msg_2', 'app_A'), deliveries: [], dueAt: T0, leaseUntil: T0 });
    assert.deepStrictEqual(none, { deliveryIds: [] });
    assert.ok(await store.history.getMessage('app_A', 'msg_2'), 'a message without deliveries is stored');
  });

  test('messages: get by id and by eventId within the app; exact payload text', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createApp(mkApp('app_B'));
    const payload = '{"b":1,  "a":[1, 2.50, 1e3],\n "big": 12345678901234567890, "s":"é\\u00e9 ✓ \\"q\\""}';
    const m = mkMessage('msg_1', 'app_A', { eventId: 'evt-1', eventType: 'invoice.paid', channels: ['eu', 'c2'], tags: ['t'], payload, createdAt: T0 + 1, deliverAt: T0 + 9 });
    const bare = mkMessage('msg_2', 'app_A');
    await publish(store, m, []);
    await publish(store, bare, []);
    assert.deepStrictEqual(await store.history.getMessage('app_A', 'msg_1'), m);
    assert.deepStrictEqual(await store.history.getMessage('app_A', 'evt-1'), m);
    assert.deepStrictEqual(await store.history.getMessage('app_A', 'msg_2'), bare);
    assert.equal((await store.history.getMessage('app_A', 'msg_1'))?.payload, payload, 'the payload is the exact text');
    assert.equal(await store.history.getMessage('app_B', 'msg_1'), undefined, 'another app does not see it by id');
    assert.equal(await store.history.getMessage('app_B', 'evt-1'), undefined, 'nor by eventId');
    assert.equal(await store.history.getMessage('app_A', 'EVT-1'), undefined);
    assert.equal(await store.history.getMessage('app_A', 'nope'), undefined);
  });

  test('messages: duplicate eventId in an app is a 409 and writes nothing; fine in another app', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createApp(mkApp('app_B'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_B'), mkKey('k'));
    await publish(store, mkMessage('msg_1', 'app_A', { eventId: 'evt-1' }), []);
    await expect409(
      store.history.createMessage({
        message: mkMessage('msg_2', 'app_A', { eventId: 'evt-1' }),
        deliveries: [{ endpointId: 'ep_1', admission: 'due' }],
        dueAt: T0,
        leaseUntil: T0 + 1000,
        idempotency: { scope: 'app_A', key: 'idem', response: { statusCode: 202, body: 'b' }, expiresAt: T0 + 10_000 },
      }),
      'duplicate eventId',
    );
    assert.equal(await store.history.getMessage('app_A', 'msg_2'), undefined, 'the message was not written');
    assert.deepStrictEqual(await deliveriesOf(store, 'msg_2'), [], 'nor its deliveries');
    assert.equal(await store.queue.nextDueAt(), null, 'nothing is queued');
    assert.equal(await store.history.getIdempotentResponse('app_A', 'idem', T0), undefined, 'nor its idempotency record');
    assert.equal((await store.history.getMessage('app_A', 'evt-1'))?.id, 'msg_1');

    await publish(store, mkMessage('msg_3', 'app_B', { eventId: 'evt-1' }), [['ep_2', 'due']]);
    assert.equal((await store.history.getMessage('app_B', 'evt-1'))?.id, 'msg_3');
    await publish(store, mkMessage('msg_4', 'app_A'), []);
    await publish(store, mkMessage('msg_5', 'app_A'), []);
    assert.equal((await store.history.listMessages('app_A', {}, page())).data.length, 3, 'any number of messages without eventId');
  });

  test('createMessage with idempotency: stores the response; a stored key replays and writes nothing', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const input = (id: string, key: string, body: string, createdAt = T0) => ({
      message: mkMessage(id, 'app_A', { createdAt }),
      deliveries: [{ endpointId: 'ep_1', admission: 'due' as const }],
      dueAt: createdAt,
      leaseUntil: createdAt + 1000,
      idempotency: { scope: 'app_A', key, response: { statusCode: 202, body }, expiresAt: T0 + 1000 },
    });

    const first = await store.history.createMessage(input('msg_1', 'k1', 'first'));
    assert.ok('deliveryIds' in first && first.deliveryIds.length === 1);
    assert.deepStrictEqual(await store.history.getIdempotentResponse('app_A', 'k1', T0), { statusCode: 202, body: 'first' }, 'stored with the message');

    const again = await store.history.createMessage(input('msg_2', 'k1', 'second'));
    assert.deepStrictEqual(again, { replay: { statusCode: 202, body: 'first' } });
    assert.equal(await store.history.getMessage('app_A', 'msg_2'), undefined, 'a replay writes no message');
    assert.deepStrictEqual(await deliveriesOf(store, 'msg_2'), [], 'nor deliveries');
    assert.deepStrictEqual(await store.history.getIdempotentResponse('app_A', 'k1', T0), { statusCode: 202, body: 'first' }, 'nor a new response');

    // Stored by someone else beforehand (putIdempotentResponse): also a replay.
    await store.history.putIdempotentResponse('app_A', 'k2', { statusCode: 409, body: 'conflict' }, T0 + 1000);
    assert.deepStrictEqual(await store.history.createMessage(input('msg_3', 'k2', 'x')), { replay: { statusCode: 409, body: 'conflict' } });
    assert.equal(await store.history.getMessage('app_A', 'msg_3'), undefined);

    // Expired (at the message's createdAt): the message is written and the record replaced.
    const lateInput = input('msg_4', 'k1', 'fourth', T0 + 1000);
    const late = await store.history.createMessage({ ...lateInput, idempotency: { ...lateInput.idempotency, expiresAt: T0 + 5000 } });
    assert.ok('deliveryIds' in late, 'an expired record does not replay');
    assert.ok(await store.history.getMessage('app_A', 'msg_4'));
    assert.deepStrictEqual(await store.history.getIdempotentResponse('app_A', 'k1', T0 + 2000), { statusCode: 202, body: 'fourth' });
    assert.deepEqual((await store.history.listMessages('app_A', {}, page())).data.map((m) => m.id), ['msg_1', 'msg_4']);
  });

  test('createMessage with idempotency: of two concurrent requests with one key, exactly one writes', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const input = (id: string) => ({
      message: mkMessage(id, 'app_A'),
      deliveries: [{ endpointId: 'ep_1', admission: 'due' as const }],
      dueAt: T0,
      leaseUntil: T0 + 1000,
      idempotency: { scope: 'app_A', key: 'same', response: { statusCode: 202, body: `body of ${id}` }, expiresAt: T0 + 10_000 },
    });
    const results = await Promise.all(['msg_1', 'msg_2', 'msg_3', 'msg_4'].map((id) => store.history.createMessage(input(id))));
    const written = results.flatMap((r, i) => ('deliveryIds' in r ? [`msg_${i + 1}`] : []));
    assert.equal(written.length, 1, 'exactly one request wrote');
    for (const r of results) if ('replay' in r) assert.deepStrictEqual(r.replay, { statusCode: 202, body: `body of ${written[0]}` });
    assert.deepEqual((await store.history.listMessages('app_A', {}, page())).data.map((m) => m.id), written, 'one message stored');
    assert.equal((await store.queue.claimDueDeliveries(T0, T0 + 1000, 100)).length, 1, 'one delivery stored');
  });

  test('listMessages: filters by channel, tag, event types, before/after; order and pagination', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createApp(mkApp('app_B'));
    const specs: [string, Partial<Message>][] = [
      ['msg_0a', { eventType: 'user.created', channels: ['eu', 'c1'], tags: ['vip'], createdAt: T0 + 10 }],
      ['msg_0B', { eventType: 'invoice.paid', channels: ['c10'], tags: ['vipx', 'new'], createdAt: T0 + 20 }],
      ['msg_9z', { eventType: 'user.deleted', channels: null, tags: null, createdAt: T0 + 30 }],
      ['msg_A0', { eventType: 'user.created', channels: ['c1'], tags: ['new'], createdAt: T0 + 40 }],
      ['msg_Ab', { eventType: 'invoice.paid', channels: ['us'], tags: ['vip'], createdAt: T0 + 50 }],
      ['msg_a0', { eventType: 'user.created', channels: [], tags: [], createdAt: T0 + 60 }],
    ];
    for (const [id, over] of specs) await publish(store, mkMessage(id, 'app_A', over), []);
    await publish(store, mkMessage('msg_other', 'app_B', { channels: ['c1'], tags: ['vip'], createdAt: T0 + 30 }), []);
    const ids = async (filter: Parameters<Storage['history']['listMessages']>[1], order: Page['order'] = 'ascending') =>
      (await store.history.listMessages('app_A', filter, page(order))).data.map((m) => m.id);

    assert.deepEqual(await ids({}), ['msg_0B', 'msg_0a', 'msg_9z', 'msg_A0', 'msg_Ab', 'msg_a0'], 'by id, byte order');
    assert.deepEqual(await ids({}, 'descending'), ['msg_a0', 'msg_Ab', 'msg_A0', 'msg_9z', 'msg_0a', 'msg_0B']);
    assert.deepEqual(await ids({ channel: 'c1' }), ['msg_0a', 'msg_A0'], 'a channel matches whole elements only');
    assert.deepEqual(await ids({ channel: 'C1' }), [], 'channels are case-sensitive');
    assert.deepEqual(await ids({ tag: 'vip' }), ['msg_0a', 'msg_Ab']);
    assert.deepEqual(await ids({ tag: 'new' }), ['msg_0B', 'msg_A0']);
    assert.deepEqual(await ids({ eventTypes: ['invoice.paid', 'user.deleted'] }), ['msg_0B', 'msg_9z', 'msg_Ab']);
    assert.deepEqual(await ids({ eventTypes: [] }), await ids({}), 'no event types: no filter');
    assert.deepEqual(await ids({ before: T0 + 30 }), ['msg_0B', 'msg_0a'], 'before is strict');
    assert.deepEqual(await ids({ after: T0 + 40 }), ['msg_Ab', 'msg_a0'], 'after is strict');
    assert.deepEqual(await ids({ after: T0 + 10, before: T0 + 60 }), ['msg_0B', 'msg_9z', 'msg_A0', 'msg_Ab']);
    assert.deepEqual(await ids({ eventTypes: ['user.created'], channel: 'c1', tag: 'new', after: T0 }), ['msg_A0'], 'filters combine');
    assert.deepStrictEqual((await store.history.listMessages('app_A', { tag: 'vip' }, page())).data[0], mkMessage('msg_0a', 'app_A', specs[0]![1]));

    await checkPagination('listMessages', (p) => store.history.listMessages('app_A', {}, p), (m) => m.id, specs.map(([id]) => id));
    await checkPagination('listMessages(filtered)', (p) => store.history.listMessages('app_A', { eventTypes: ['user.created', 'invoice.paid'] }, p), (m) => m.id,
      ['msg_0a', 'msg_0B', 'msg_A0', 'msg_Ab', 'msg_a0']);
  });

  // ----- the queue ---------------------------------------------------------------------------------------------

  test('claimDueDeliveries: only due rows, oldest due first, at most limit; leased until leaseUntil', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createApp(mkApp('app_B'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_B'), mkKey('k'));
    const now = T0 + 100_000;
    const lease = now + 30_000;
    const payload = (n: number) => `{"n":${n},  "é":"\\u00e9",\n"x":[1.50]}`;
    const m = (n: number, appId = 'app_A') => mkMessage(`msg_${n}`, appId, { payload: payload(n) });
    // Ids rise 1..7 while due times fall, so "oldest due first" differs from id order.
    const [d1] = await publish(store, m(1), [['ep_1', 'due']], { dueAt: now - 1000 });
    const [d2] = await publish(store, m(2), [['ep_1', 'due']], { dueAt: now - 2000 });
    const [d3] = await publish(store, m(3, 'app_B'), [['ep_2', 'due']], { dueAt: now - 3000 });
    const [d4] = await publish(store, m(4), [['ep_1', 'due']], { dueAt: now });
    const [d5] = await publish(store, m(5), [['ep_1', 'due']], { dueAt: now + 1 });
    await publish(store, m(6), [['ep_1', 'parked']]);
    const [d7] = await publish(store, m(7), [['ep_1', 'leased']], { leaseUntil: now + 50_000 });

    const expect = (id: number | undefined, n: number, leaseUntil: number, appId = 'app_A', endpointId = 'ep_1') => ({
      deliveryId: id!, messageId: `msg_${n}`, endpointId, appId, eventType: 'user.created', attempts: 0, trigger: Trigger.Scheduled, payload: payload(n), leaseUntil,
    });
    const byId = (a: { deliveryId: number }, b: { deliveryId: number }) => a.deliveryId - b.deliveryId;
    // "Oldest due first" is which rows a limited claim takes; the order of the returned array is not part of the
    // contract (SQLite returns it by delivery id), so sets are compared where a claim returns several rows.
    const first = await store.queue.claimDueDeliveries(now, lease, 1);
    assert.deepStrictEqual(first.map(withoutLease), [expect(d3, 3, lease, 'app_B', 'ep_2')], 'the oldest due is taken first, with its app and exact payload');
    const second = await store.queue.claimDueDeliveries(now, lease, 2);
    assert.deepStrictEqual(second.map(withoutLease).sort(byId), [expect(d2, 2, lease), expect(d1, 1, lease)].sort(byId), 'then the next two oldest, at most limit');
    for (const c of [...first, ...second]) {
      assert.equal(typeof c.lease, 'number');
      assert.ok(c.lease > 0, 'a claim never reuses lease 0 (the lease of a delivery leased at creation)');
    }
    assert.deepStrictEqual(await deliveryOf(store, 'msg_2', 'ep_1'), {
      id: d2, messageId: 'msg_2', endpointId: 'ep_1', status: Status.Sending, attempts: 0, nextAttemptAt: lease, lastStatusCode: null,
      trigger: Trigger.Scheduled, updatedAt: now,
    }, 'claimed: sending, leased until leaseUntil');

    assert.deepStrictEqual((await store.queue.claimDueDeliveries(now, lease, 10)).map(withoutLease), [expect(d4, 4, lease)], 'due exactly now is due; the claimed are not again');
    assert.deepStrictEqual(await store.queue.claimDueDeliveries(now, lease, 10), [], 'nothing else is due');
    assert.equal(await store.queue.nextDueAt(), now + 1);
    assert.deepStrictEqual(await store.queue.claimDueDeliveries(lease - 1, lease + 30_000, 10).then((c) => c.map((x) => x.deliveryId)), [d5], 'leases still running are not due');

    // When the lease has run out the rows come back, under a higher lease.
    const later = await store.queue.claimDueDeliveries(lease, lease + 30_000, 100);
    assert.deepEqual(later.map((c) => c.deliveryId).sort((a, b) => a - b), [d1!, d2!, d3!, d4!].sort((a, b) => a - b), 'expired leases are due again; the parked and the still leased are not');
    for (const c of [...first, ...second]) {
      const again = later.find((l) => l.deliveryId === c.deliveryId);
      assert.ok(again && again.lease > c.lease, 'a later claim has a higher lease');
      assert.equal(again.leaseUntil, lease + 30_000);
    }
    const atD7 = await store.queue.claimDueDeliveries(now + 50_000, now + 80_000, 100);
    assert.deepEqual(atD7.map((c) => c.deliveryId), [d7], 'a delivery leased at creation is claimable once its lease ends');
    assert.ok(atD7[0]!.lease > 0);
  });

  test('renewLeases: extends leases still held under the given lease number; returns the ids renewed', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const ids: number[] = [];
    for (let n = 1; n <= 4; n++) ids.push(...(await publish(store, mkMessage(`msg_${n}`, 'app_A'), [['ep_1', 'due']], { dueAt: T0 })));
    const [d1, d2, d3, d4] = ids as [number, number, number, number];
    const [leased] = await publish(store, mkMessage('msg_5', 'app_A'), [['ep_1', 'leased']], { leaseUntil: T0 + 1000 });
    const claimed = await store.queue.claimDueDeliveries(T0, T0 + 1000, 10);
    const lease = (id: number) => claimed.find((c) => c.deliveryId === id)!.lease;
    assert.equal(claimed.length, 4);
    // d3 is resent meanwhile, d4 finished: neither is held any more.
    await store.queue.scheduleResend('msg_3', 'ep_1', T0 + 10, Trigger.Manual);
    await store.queue.recordOutcomes([mkOutcome(claimed.find((c) => c.deliveryId === d4)!, { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 10 })]);

    const renewed = await store.queue.renewLeases([
      { deliveryId: d1, lease: lease(d1) },
      { deliveryId: d2, lease: lease(d2) - 1 },
      { deliveryId: d3, lease: lease(d3) },
      { deliveryId: d4, lease: lease(d4) },
      { deliveryId: leased!, lease: 0 },
    ], T0 + 5000);
    assert.deepEqual([...renewed].sort((a, b) => a - b), [d1, leased!].sort((a, b) => a - b), 'only deliveries still held under that lease');
    assert.deepStrictEqual(await store.queue.renewLeases([], T0 + 5000), []);

    const state = async (n: number) => {
      const d = await deliveryOf(store, `msg_${n}`, 'ep_1');
      return { status: d?.status, nextAttemptAt: d?.nextAttemptAt, attempts: d?.attempts };
    };
    assert.deepStrictEqual(await state(1), { status: Status.Sending, nextAttemptAt: T0 + 5000, attempts: 0 });
    assert.deepStrictEqual(await state(5), { status: Status.Sending, nextAttemptAt: T0 + 5000, attempts: 0 });
    assert.deepStrictEqual(await state(2), { status: Status.Sending, nextAttemptAt: T0 + 1000, attempts: 0 }, 'a stale lease number renews nothing');
    assert.deepStrictEqual(await state(3), { status: Status.Pending, nextAttemptAt: T0 + 10, attempts: 0 }, 'a resent delivery is not renewed');
    assert.deepStrictEqual(await state(4), { status: Status.Success, nextAttemptAt: null, attempts: 1 }, 'a finished delivery is not renewed');

    const due = await store.queue.claimDueDeliveries(T0 + 1000, T0 + 6000, 10);
    assert.deepEqual(due.map((c) => c.deliveryId).sort((a, b) => a - b), [d2, d3].sort((a, b) => a - b), 'renewed leases are not due at their old end');
    // Renewal keeps the lease number: an outcome under it still decides.
    await store.queue.recordOutcomes([mkOutcome(claimed.find((c) => c.deliveryId === d1)!, { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 20 })]);
    assert.deepStrictEqual(await state(1), { status: Status.Success, nextAttemptAt: null, attempts: 1 });
    assert.deepEqual((await store.queue.claimDueDeliveries(T0 + 4999, T0 + 9000, 10)).map((c) => c.deliveryId), [], 'a renewed lease holds until its new end');
    assert.deepEqual((await store.queue.claimDueDeliveries(T0 + 5000, T0 + 9000, 10)).map((c) => c.deliveryId), [leased], 'and runs out then');
  });

  test('claimDueDeliveries: concurrent claims never hand out one delivery twice', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const ids: number[] = [];
    for (let n = 0; n < 30; n++) ids.push(...(await publish(store, mkMessage(`msg_${n}`, 'app_A'), [['ep_1', 'due']], { dueAt: T0 + n })));
    const claims = await Promise.all([0, 1, 2, 3].map(() => store.queue.claimDueDeliveries(T0 + 1000, T0 + 60_000, 10)));
    const rest = await store.queue.claimDueDeliveries(T0 + 1000, T0 + 60_000, 100);
    const all = [...claims.flat(), ...rest].map((c) => c.deliveryId);
    assert.equal(new Set(all).size, all.length, 'no delivery claimed twice');
    assert.deepEqual(all.sort((a, b) => a - b), ids.sort((a, b) => a - b), 'every delivery claimed once');
  });

  test('nextDueAt: the soonest due time or lease end, null when nothing is pending', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    assert.equal(await store.queue.nextDueAt(), null, 'empty');
    await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'parked']]);
    assert.equal(await store.queue.nextDueAt(), null, 'parked rows have no due time');
    await publish(store, mkMessage('msg_2', 'app_A'), [['ep_1', 'due']], { dueAt: T0 + 5000 });
    assert.equal(await store.queue.nextDueAt(), T0 + 5000);
    const [leased] = await publish(store, mkMessage('msg_3', 'app_A'), [['ep_1', 'leased']], { leaseUntil: T0 + 3000 });
    assert.equal(await store.queue.nextDueAt(), T0 + 3000, 'a lease end counts');
    await store.queue.recordOutcomes([
      mkOutcome({ deliveryId: leased!, messageId: 'msg_3', endpointId: 'ep_1', appId: 'app_A', lease: 0 }, { status: Status.Fail, attempts: 1, nextAttemptAt: null, code: 410, at: T0 + 100 }),
    ]);
    assert.equal(await store.queue.nextDueAt(), T0 + 5000, 'a final row no longer counts');
    const claimed = await store.queue.claimDueDeliveries(T0 + 5000, T0 + 9000, 10);
    assert.equal(claimed.length, 1);
    assert.equal(await store.queue.nextDueAt(), T0 + 9000, 'claimed: its lease end');
    await store.queue.recordOutcomes([mkOutcome(claimed[0]!, { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 5001 })]);
    assert.equal(await store.queue.nextDueAt(), null, 'only parked and final rows left');
  });

  test('recordOutcomes: attempt rows and delivery state (success, retry, fail) in one call', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    for (const id of ['ep_1', 'ep_2', 'ep_3']) await store.catalog.createEndpoint(mkEndpoint(id, 'app_A'), mkKey('k'));
    const m = mkMessage('msg_1', 'app_A');
    const [d1, d2, d3] = await publish(store, m, [['ep_1', 'due'], ['ep_2', 'due'], ['ep_3', 'due']], { dueAt: T0 });
    const claimed = await store.queue.claimDueDeliveries(T0, T0 + 60_000, 10);
    assert.equal(claimed.length, 3);
    const c = (id: number | undefined) => claimed.find((x) => x.deliveryId === id)!;
    const outcomes = [
      mkOutcome(c(d1), { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 10 }, { response: '{"ok":true} ✓', durationMs: 42 }),
      mkOutcome(c(d2), { status: Status.Pending, attempts: 1, nextAttemptAt: T0 + 5000, code: 503, at: T0 + 11 }),
      mkOutcome(c(d3), { status: Status.Fail, attempts: 1, nextAttemptAt: null, code: 0, at: T0 + 12 }, { response: 'connect ECONNREFUSED' }),
    ];
    await store.queue.recordOutcomes(outcomes);
    const base = { messageId: 'msg_1', attempts: 1, trigger: Trigger.Scheduled };
    assert.deepStrictEqual(await deliveryOf(store, 'msg_1', 'ep_1'), { ...base, id: d1, endpointId: 'ep_1', status: Status.Success, nextAttemptAt: null, lastStatusCode: 200, updatedAt: T0 + 10 });
    assert.deepStrictEqual(await deliveryOf(store, 'msg_1', 'ep_2'), { ...base, id: d2, endpointId: 'ep_2', status: Status.Pending, nextAttemptAt: T0 + 5000, lastStatusCode: 503, updatedAt: T0 + 11 });
    assert.deepStrictEqual(await deliveryOf(store, 'msg_1', 'ep_3'), { ...base, id: d3, endpointId: 'ep_3', status: Status.Fail, nextAttemptAt: null, lastStatusCode: null, updatedAt: T0 + 12 }, 'no response: no status code');
    for (const o of outcomes) assert.deepStrictEqual(await store.history.getAttempt('msg_1', o.attempt.id), o.attempt);

    assert.equal(await store.queue.nextDueAt(), T0 + 5000);
    assert.deepStrictEqual(await store.queue.claimDueDeliveries(T0 + 4999, T0 + 60_000, 10), [], 'the retry is not due before its time');
    const retry = await store.queue.claimDueDeliveries(T0 + 5000, T0 + 60_000, 10);
    assert.deepEqual(retry.map((x) => [x.deliveryId, x.attempts]), [[d2, 1]], 'the retry comes back with its attempt count');
  });

  test('recordOutcomes: an outcome under a stale lease stores its attempt but changes nothing in the delivery', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const [id] = await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'due']], { dueAt: T0 });
    const [one] = await store.queue.claimDueDeliveries(T0, T0 + 1000, 10);
    assert.ok(one);
    const [two] = await store.queue.claimDueDeliveries(T0 + 1000, T0 + 5000, 10);
    assert.ok(two && two.deliveryId === id && two.lease > one.lease, 'claimed again after the lease ran out');
    const stale = mkOutcome(one, { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 1500 });
    await store.queue.recordOutcomes([stale]);
    const held: Delivery = {
      id: id!, messageId: 'msg_1', endpointId: 'ep_1', status: Status.Sending, attempts: 0, nextAttemptAt: T0 + 5000, lastStatusCode: null,
      trigger: Trigger.Scheduled, updatedAt: T0 + 1000,
    };
    assert.deepStrictEqual(await deliveryOf(store, 'msg_1', 'ep_1'), held, 'the stale outcome changed nothing');
    assert.deepStrictEqual(await store.history.getAttempt('msg_1', stale.attempt.id), stale.attempt, 'but its attempt row is stored');

    const current = mkOutcome(two, { status: Status.Pending, attempts: 1, nextAttemptAt: T0 + 9000, code: 500, at: T0 + 1600 });
    await store.queue.recordOutcomes([current]);
    assert.deepStrictEqual(await deliveryOf(store, 'msg_1', 'ep_1'), { ...held, status: Status.Pending, attempts: 1, nextAttemptAt: T0 + 9000, lastStatusCode: 500, updatedAt: T0 + 1600 }, 'the current lease decides');
    assert.equal((await store.history.listAttempts({ messageId: 'msg_1' }, page())).data.length, 2);

    // An outcome for a delivery that is no longer sending (here: pending again) changes nothing either.
    await store.queue.recordOutcomes([mkOutcome(two, { status: Status.Success, attempts: 2, nextAttemptAt: null, code: 200, at: T0 + 1700 })]);
    assert.equal((await deliveryOf(store, 'msg_1', 'ep_1'))?.status, Status.Pending);
  });

  test('a delivery leased at creation takes its outcome under lease 0', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const [id] = await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'leased']], { leaseUntil: T0 + 60_000 });
    await store.queue.recordOutcomes([mkOutcome({ deliveryId: id!, messageId: 'msg_1', endpointId: 'ep_1', appId: 'app_A', lease: 0 }, { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 204, at: T0 + 5 })]);
    assert.deepStrictEqual(await deliveryOf(store, 'msg_1', 'ep_1'), {
      id: id!, messageId: 'msg_1', endpointId: 'ep_1', status: Status.Success, attempts: 1, nextAttemptAt: null, lastStatusCode: 204,
      trigger: Trigger.Scheduled, updatedAt: T0 + 5,
    });
  });

  test('parkDeliveries and claimParkedDeliveries: parked rows leave the due index, come back oldest first, per endpoint', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k'));
    const rows: { n: number; ep1: number; ep2: number }[] = [];
    for (let n = 1; n <= 3; n++) {
      const [ep1, ep2] = await publish(store, mkMessage(`msg_${n}`, 'app_A', { payload: `[${n}]` }), [['ep_1', 'leased'], ['ep_2', 'leased']], { leaseUntil: T0 + 1000 });
      rows.push({ n, ep1: ep1!, ep2: ep2! });
    }
    const [due] = await publish(store, mkMessage('msg_4', 'app_A'), [['ep_1', 'due']], { dueAt: T0 + 500 });
    await store.queue.parkDeliveries([...rows.map((r) => r.ep1).reverse(), ...rows.map((r) => r.ep2), due!]);
    const parked = await deliveryOf(store, 'msg_2', 'ep_1');
    assert.equal(parked?.status, Status.Pending);
    assert.equal(parked?.nextAttemptAt, null, 'parked: pending with no due time');
    assert.equal((await deliveryOf(store, 'msg_4', 'ep_1'))?.nextAttemptAt, T0 + 500, 'a row that is not sending is not parked');
    assert.equal(await store.queue.nextDueAt(), T0 + 500);
    assert.deepEqual((await store.queue.claimDueDeliveries(T0 + 10_000_000_000, T0 + 10_000_000_001, 100)).map((c) => c.deliveryId), [due], 'no scan sees parked rows');

    const leaseUntil = Date.now() + 60_000;
    const a = await store.queue.claimParkedDeliveries('ep_1', leaseUntil, 2);
    const expect = (r: { n: number; ep1: number; ep2: number }, ep: 'ep1' | 'ep2') => ({
      deliveryId: r[ep], messageId: `msg_${r.n}`, endpointId: ep === 'ep1' ? 'ep_1' : 'ep_2', appId: 'app_A', eventType: 'user.created', attempts: 0, trigger: Trigger.Scheduled, payload: `[${r.n}]`,
      leaseUntil,
    });
    assert.deepStrictEqual(a.map(withoutLease), [expect(rows[0]!, 'ep1'), expect(rows[1]!, 'ep1')], 'oldest first, at most limit');
    for (const c of a) assert.ok(c.lease > 0);
    const claimedRow = await deliveryOf(store, 'msg_1', 'ep_1');
    assert.equal(claimedRow?.status, Status.Sending);
    assert.equal(claimedRow?.nextAttemptAt, leaseUntil, 'leased until leaseUntil');
    assert.deepStrictEqual((await store.queue.claimParkedDeliveries('ep_1', leaseUntil, 10)).map(withoutLease), [expect(rows[2]!, 'ep1')]);
    assert.deepStrictEqual(await store.queue.claimParkedDeliveries('ep_1', leaseUntil, 10), [], 'none left for ep_1');
    assert.deepStrictEqual((await store.queue.claimParkedDeliveries('ep_2', leaseUntil, 10)).map(withoutLease), rows.map((r) => expect(r, 'ep2')), "ep_2's parked rows were left alone");
  });

  test('unparkStale: rows parked before the cutoff become due now', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const now = T0 + 100_000;
    const [old] = await publish(store, mkMessage('msg_1', 'app_A', { createdAt: now - 100_000 }), [['ep_1', 'parked']]);
    const [edge] = await publish(store, mkMessage('msg_2', 'app_A', { createdAt: now - 50_000 }), [['ep_1', 'parked']]);
    const [recent] = await publish(store, mkMessage('msg_3', 'app_A', { createdAt: now }), [['ep_1', 'parked']]);
    await publish(store, mkMessage('msg_4', 'app_A', { createdAt: now - 100_000 }), [['ep_1', 'due']], { dueAt: now + 7 });

    assert.equal(await store.queue.unparkStale(now - 50_000, now), 1, 'only the row parked strictly before the cutoff');
    assert.deepStrictEqual(await deliveryOf(store, 'msg_1', 'ep_1'), {
      id: old!, messageId: 'msg_1', endpointId: 'ep_1', status: Status.Pending, attempts: 0, nextAttemptAt: now, lastStatusCode: null,
      trigger: Trigger.Scheduled, updatedAt: now,
    });
    assert.equal((await deliveryOf(store, 'msg_4', 'ep_1'))?.nextAttemptAt, now + 7, 'due rows are untouched');
    assert.deepEqual((await store.queue.claimDueDeliveries(now, now + 1000, 10)).map((c) => c.deliveryId), [old]);
    assert.deepEqual((await store.queue.claimParkedDeliveries('ep_1', now + 1000, 10)).map((c) => c.deliveryId), [edge, recent], 'the others are still parked');
    assert.equal(await store.queue.unparkStale(now + 1_000_000, now), 0, 'sending rows are not parked');

    // Rows parked by parkDeliveries are parked "now" by the store's clock.
    const [p] = await publish(store, mkMessage('msg_5', 'app_A', { createdAt: now - 100_000 }), [['ep_1', 'leased']]);
    await store.queue.parkDeliveries([p!]);
    assert.equal(await store.queue.unparkStale(Date.now() - 60_000, now), 0, 'just parked: not stale');
    assert.equal(await store.queue.unparkStale(Date.now() + 60_000, now + 1), 1);
    assert.equal((await deliveryOf(store, 'msg_5', 'ep_1'))?.nextAttemptAt, now + 1);
  });

  test('releaseDeliveries: leased rows become due at dueAt; others are untouched', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const [a] = await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'leased']], { leaseUntil: T0 + 60_000 });
    const [b] = await publish(store, mkMessage('msg_2', 'app_A'), [['ep_1', 'leased']], { leaseUntil: T0 + 60_000 });
    const [done] = await publish(store, mkMessage('msg_3', 'app_A'), [['ep_1', 'leased']], { leaseUntil: T0 + 60_000 });
    const [parked] = await publish(store, mkMessage('msg_4', 'app_A'), [['ep_1', 'parked']]);
    const ref = (id: number | undefined, n: number) => ({ deliveryId: id!, messageId: `msg_${n}`, endpointId: 'ep_1', appId: 'app_A', lease: 0 });
    await store.queue.recordOutcomes([mkOutcome(ref(done, 3), { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 1 })]);

    await store.queue.releaseDeliveries([a!, b!, done!, parked!], T0 + 5);
    for (const [id, n] of [[a, 1], [b, 2]] as const) {
      const d = await deliveryOf(store, `msg_${n}`, 'ep_1');
      assert.equal(d?.id, id);
      assert.equal(d?.status, Status.Pending);
      assert.equal(d?.nextAttemptAt, T0 + 5, 'due at dueAt');
    }
    assert.equal((await deliveryOf(store, 'msg_3', 'ep_1'))?.status, Status.Success, 'a finished row is untouched');
    assert.equal((await deliveryOf(store, 'msg_4', 'ep_1'))?.nextAttemptAt, null, 'a parked row is untouched');

    // The lease it was released from no longer decides.
    await store.queue.recordOutcomes([mkOutcome(ref(a, 1), { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 6 })]);
    assert.equal((await deliveryOf(store, 'msg_1', 'ep_1'))?.status, Status.Pending);
    assert.deepStrictEqual(await store.queue.claimDueDeliveries(T0 + 4, T0 + 100, 10), []);
    const again = await store.queue.claimDueDeliveries(T0 + 5, T0 + 100, 10);
    assert.deepEqual(again.map((c) => c.deliveryId).sort((x, y) => x - y), [a!, b!].sort((x, y) => x - y));
    for (const c of again) assert.ok(c.lease > 0);
  });

  test('scheduleResend: a finished delivery is due now with attempts 0 and the trigger; a missing one is created', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k'));
    const [id] = await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'leased']]);
    await store.queue.recordOutcomes([mkOutcome({ deliveryId: id!, messageId: 'msg_1', endpointId: 'ep_1', appId: 'app_A', lease: 0 }, { status: Status.Fail, attempts: 6, nextAttemptAt: null, code: 500, at: T0 + 10 })]);

    await store.queue.scheduleResend('msg_1', 'ep_1', T0 + 100, Trigger.Manual);
    assert.deepStrictEqual(await deliveryOf(store, 'msg_1', 'ep_1'), {
      id: id!, messageId: 'msg_1', endpointId: 'ep_1', status: Status.Pending, attempts: 0, nextAttemptAt: T0 + 100, lastStatusCode: 500,
      trigger: Trigger.Manual, updatedAt: T0 + 100,
    }, 'the same delivery, due now, fresh schedule');

    await store.queue.scheduleResend('msg_1', 'ep_2', T0 + 100, Trigger.Manual);
    const created = await deliveryOf(store, 'msg_1', 'ep_2');
    assert.ok(created, 'a missing delivery is created');
    assert.equal(typeof created.id, 'number');
    assert.deepStrictEqual(created, {
      id: created.id, messageId: 'msg_1', endpointId: 'ep_2', status: Status.Pending, attempts: 0, nextAttemptAt: T0 + 100, lastStatusCode: null,
      trigger: Trigger.Manual, updatedAt: T0 + 100,
    });
    assert.equal((await deliveriesOf(store, 'msg_1')).length, 2);

    const claimed = await store.queue.claimDueDeliveries(T0 + 100, T0 + 1000, 10);
    assert.deepStrictEqual(claimed.map(withoutLease).sort((a, b) => a.deliveryId - b.deliveryId), [
      { deliveryId: id!, messageId: 'msg_1', endpointId: 'ep_1', appId: 'app_A', eventType: 'user.created', attempts: 0, trigger: Trigger.Manual, payload: '{"message":"msg_1"}', leaseUntil: T0 + 1000 },
      { deliveryId: created.id, messageId: 'msg_1', endpointId: 'ep_2', appId: 'app_A', eventType: 'user.created', attempts: 0, trigger: Trigger.Manual, payload: '{"message":"msg_1"}', leaseUntil: T0 + 1000 },
    ].sort((a, b) => a.deliveryId - b.deliveryId));

    // An outcome after the resend's claim resets the trigger to scheduled for the retries that follow.
    const c1 = claimed.find((c) => c.deliveryId === id)!;
    await store.queue.recordOutcomes([mkOutcome(c1, { status: Status.Pending, attempts: 1, nextAttemptAt: T0 + 2000, code: 502, at: T0 + 200, trigger: Trigger.Manual })]);
    assert.equal((await deliveryOf(store, 'msg_1', 'ep_1'))?.trigger, Trigger.Scheduled);
  });

  test('expediteEndpointDeliveries: only that endpoint\'s deliveries waiting for a retry become due; attempts kept', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k'));
    const retrying = async (n: number, endpointId: string) => {
      const [id] = await publish(store, mkMessage(`msg_${n}`, 'app_A'), [[endpointId, 'leased']]);
      await store.queue.recordOutcomes([mkOutcome({ deliveryId: id!, messageId: `msg_${n}`, endpointId, appId: 'app_A', lease: 0 },
        { status: Status.Pending, attempts: 2, nextAttemptAt: T0 + 3_600_000, code: 0, at: T0 + 10 })]);
      return id!;
    };
    const waiting = await retrying(1, 'ep_1');
    const otherEndpoint = await retrying(2, 'ep_2');
    const [finished] = await publish(store, mkMessage('msg_3', 'app_A'), [['ep_1', 'leased']]);
    await store.queue.recordOutcomes([mkOutcome({ deliveryId: finished!, messageId: 'msg_3', endpointId: 'ep_1', appId: 'app_A', lease: 0 },
      { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 10 })]);
    const [parked] = await publish(store, mkMessage('msg_4', 'app_A'), [['ep_1', 'parked']]);

    assert.equal(await store.queue.expediteEndpointDeliveries('ep_1', T0 + 100), 1);
    const after = await deliveryOf(store, 'msg_1', 'ep_1');
    assert.deepStrictEqual({ id: after?.id, status: after?.status, attempts: after?.attempts, nextAttemptAt: after?.nextAttemptAt },
      { id: waiting, status: Status.Pending, attempts: 2, nextAttemptAt: T0 + 100 }, 'due now, its schedule goes on');
    assert.equal((await deliveryOf(store, 'msg_2', 'ep_2'))?.nextAttemptAt, T0 + 3_600_000, 'another endpoint is untouched');
    assert.equal((await deliveryOf(store, 'msg_3', 'ep_1'))?.status, Status.Success);
    assert.equal((await deliveryOf(store, 'msg_4', 'ep_1'))?.nextAttemptAt, null, 'parked stays parked');
    const claimed = await store.queue.claimDueDeliveries(T0 + 100, T0 + 1000, 10);
    assert.deepStrictEqual(claimed.map((c) => c.deliveryId), [waiting]);
    assert.ok(otherEndpoint !== undefined && parked !== undefined);
    assert.equal(await store.queue.expediteEndpointDeliveries('ep_1', T0 + 200), 0, 'a delivery being sent is not touched');
  });

  test('countQueuedDeliveries and oldestDueAt: deliveries not final, and the oldest one that is late', async (store) => {
    const queueStats = async (now: number) => ({ queued: await store.queue.countQueuedDeliveries(), oldestDueAt: await store.queue.oldestDueAt(now) });
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A', { ordered: true }), mkKey('k'));
    assert.deepStrictEqual(await queueStats(T0), { queued: 0, oldestDueAt: null });
    await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'due']], { dueAt: T0 + 10 });
    await publish(store, mkMessage('msg_2', 'app_A'), [['ep_1', 'due']], { dueAt: T0 + 20 });
    await publish(store, mkMessage('msg_3', 'app_A'), [['ep_1', 'parked']]);
    await publish(store, mkMessage('msg_4', 'app_A'), [['ep_2', 'turn']]);
    const [done] = await publish(store, mkMessage('msg_5', 'app_A'), [['ep_1', 'leased']]);
    await store.queue.recordOutcomes([mkOutcome({ deliveryId: done!, messageId: 'msg_5', endpointId: 'ep_1', appId: 'app_A', lease: 0 },
      { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 })]);
    assert.deepStrictEqual(await queueStats(T0 + 5), { queued: 3, oldestDueAt: null }, 'two due later and one parked; not the turn nor the delivered');
    assert.deepStrictEqual(await queueStats(T0 + 100), { queued: 3, oldestDueAt: T0 + 10 });
    await store.queue.claimDueDeliveries(T0 + 100, T0 + 1_000, 1);
    assert.deepStrictEqual(await queueStats(T0 + 100), { queued: 3, oldestDueAt: T0 + 20 }, 'one being sent is queued but not late');
  });

  test('newestAttemptAt: when the newest attempt (by id) was made, or null', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    assert.equal(await store.history.newestAttemptAt(), null);
    const [a, b] = [await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'leased']]), await publish(store, mkMessage('msg_2', 'app_A'), [['ep_1', 'leased']])];
    await store.queue.recordOutcomes([
      mkOutcome({ deliveryId: a[0]!, messageId: 'msg_1', endpointId: 'ep_1', appId: 'app_A', lease: 0 }, { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 500 }),
      mkOutcome({ deliveryId: b[0]!, messageId: 'msg_2', endpointId: 'ep_1', appId: 'app_A', lease: 0 }, { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 700 }),
    ]);
    assert.equal(await store.history.newestAttemptAt(), T0 + 700);
  });

  test('scheduleResend while an attempt is in flight: that attempt is logged but no longer decides', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    const [id] = await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'due']], { dueAt: T0 });
    const [inFlight] = await store.queue.claimDueDeliveries(T0, T0 + 60_000, 10);
    assert.ok(inFlight);
    await store.queue.scheduleResend('msg_1', 'ep_1', T0 + 100, Trigger.Manual);
    const late = mkOutcome(inFlight, { status: Status.Fail, attempts: 1, nextAttemptAt: null, code: 500, at: T0 + 150 });
    await store.queue.recordOutcomes([late]);
    assert.deepStrictEqual(await deliveryOf(store, 'msg_1', 'ep_1'), {
      id: id!, messageId: 'msg_1', endpointId: 'ep_1', status: Status.Pending, attempts: 0, nextAttemptAt: T0 + 100, lastStatusCode: null,
      trigger: Trigger.Manual, updatedAt: T0 + 100,
    });
    assert.deepStrictEqual(await store.history.getAttempt('msg_1', late.attempt.id), late.attempt);
    const [resent] = await store.queue.claimDueDeliveries(T0 + 150, T0 + 60_000, 10);
    assert.ok(resent && resent.deliveryId === id && resent.trigger === Trigger.Manual && resent.lease > inFlight.lease);
  });

  test('recoverAtStart: SQLite makes sending and parked rows due; PostgreSQL changes nothing', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'leased']], { leaseUntil: T0 + 60_000 });
    await publish(store, mkMessage('msg_2', 'app_A'), [['ep_1', 'parked']]);
    await publish(store, mkMessage('msg_3', 'app_A'), [['ep_1', 'due']], { dueAt: T0 + 99_000 });
    const [finished] = await publish(store, mkMessage('msg_4', 'app_A'), [['ep_1', 'leased']]);
    await store.queue.recordOutcomes([mkOutcome({ deliveryId: finished!, messageId: 'msg_4', endpointId: 'ep_1', appId: 'app_A', lease: 0 }, { status: Status.Success, attempts: 1, nextAttemptAt: null, code: 200, at: T0 + 1 })]);
    const snapshot = async () => {
      const out: Delivery[] = [];
      for (const n of [1, 2, 3, 4]) out.push(...(await deliveriesOf(store, `msg_${n}`)));
      return out;
    };
    const before = await snapshot();
    const now = T0 + 10_000;
    const recovered = await store.queue.recoverAtStart(now);
    const after = await snapshot();
    if (store.dialect === 'sqlite') {
      assert.deepEqual(recovered, { deliveries: 2, endpoints: 1 });
      assert.deepStrictEqual(after, [
        { ...before[0]!, status: Status.Pending, nextAttemptAt: now, updatedAt: now },
        { ...before[1]!, status: Status.Pending, nextAttemptAt: now, updatedAt: now },
        before[2],
        before[3],
      ]);
      assert.equal(await store.queue.nextDueAt(), now);
    } else {
      assert.deepEqual(recovered, { deliveries: 0, endpoints: 0 });
      assert.deepStrictEqual(after, before, 'leases run out by themselves; nothing changes');
    }
  });

  test('circuits: kept while open, listed, replaced, cleared, gone with their endpoint; SQLite keeps their deliveries parked at start', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k1'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k2'));
    const open = { endpointId: 'ep_1', openedAt: T0, failures: 20, probeDelayMs: 10_000, nextProbeAt: T0 + 5_000 };
    await store.circuits.saveCircuit(open, T0);
    await store.circuits.saveCircuit({ endpointId: 'ep_gone', openedAt: T0, failures: 1, probeDelayMs: 1, nextProbeAt: null }, T0);
    assert.deepEqual(await store.circuits.listCircuits(), [open], 'nothing kept for an endpoint that does not exist');
    const probed = { ...open, failures: 21, probeDelayMs: 20_000, nextProbeAt: T0 + 15_000 };
    await store.circuits.saveCircuit(probed, T0 + 5_000);
    assert.deepEqual(await store.circuits.listCircuits(['ep_1', 'ep_2']), [probed]);
    assert.deepEqual(await store.circuits.listCircuits(['ep_2']), []);

    await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'leased'], ['ep_2', 'leased']], { leaseUntil: T0 + 60_000 });
    await publish(store, mkMessage('msg_2', 'app_A'), [['ep_1', 'parked'], ['ep_2', 'parked']]);
    const recovered = await store.queue.recoverAtStart(T0 + 10_000);
    if (store.dialect === 'sqlite') {
      assert.deepEqual(recovered, { deliveries: 2, endpoints: 1 }, 'only the closed endpoint\'s deliveries are made due');
      const ep1 = [...(await deliveriesOf(store, 'msg_1')), ...(await deliveriesOf(store, 'msg_2'))].filter((d) => d.endpointId === 'ep_1');
      assert.deepEqual(ep1.map((d) => [d.status, d.nextAttemptAt]), [[Status.Pending, null], [Status.Pending, null]], 'parked, the one mid-send too');
      const [probe] = await store.queue.claimParkedDeliveries('ep_1', T0 + 70_000, 1);
      assert.equal(probe?.messageId, 'msg_1', 'the probe takes the oldest');
    }

    await store.circuits.clearCircuit('ep_1');
    assert.deepEqual(await store.circuits.listCircuits(), []);
    await store.circuits.saveCircuit(open, T0);
    await store.catalog.deleteEndpoint('ep_1');
    assert.deepEqual(await store.circuits.listCircuits(), [], 'gone with the endpoint');
  });

  test('store events: SQLite has no one to tell; PostgreSQL tells the other handles, and of new due work', async (store, opened) => {
    const other = await opened.another();
    const heard: StoreEvent[] = [];
    let wake: (() => void) | null = null;
    await other.bus.subscribe((event) => {
      heard.push(event);
      wake?.();
    });
    /** Resolves once an event matching `done` was heard (PostgreSQL delivers notifications in commit order). */
    const until = (done: (e: StoreEvent) => boolean) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not heard; heard so far: ${JSON.stringify(heard)}`)), 5_000);
        const check = () => {
          if (!heard.some(done)) return;
          clearTimeout(timer);
          wake = null;
          resolve();
        };
        wake = check;
        check();
      });
    const marker = (appId: string): StoreEvent => ({ type: 'endpoints-changed', appId });
    const isMarker = (appId: string) => (e: StoreEvent) => e.type === 'endpoints-changed' && e.appId === appId;

    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k'));
    await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'leased'], ['ep_2', 'parked']]);
    await store.bus.broadcast(marker('after-leased'));
    if (store.dialect === 'sqlite') {
      await publish(store, mkMessage('msg_2', 'app_A'), [['ep_1', 'due']], { dueAt: T0 + 5 });
      await new Promise((r) => setTimeout(r, 100));
      assert.deepStrictEqual(heard, [], 'SQLite: one process, no events');
      return;
    }
    await until(isMarker('after-leased'));
    assert.deepStrictEqual(heard, [marker('after-leased')], 'a broadcast is heard; a message with only leased and parked deliveries wakes no one');

    await publish(store, mkMessage('msg_2', 'app_A'), [['ep_1', 'due']], { dueAt: T0 + 5 });
    await until((e) => e.type === 'deliveries-due');
    assert.deepStrictEqual(heard.at(-1), { type: 'deliveries-due', at: T0 + 5 }, "a 'due' admission tells the others when");

    await store.queue.scheduleResend('msg_1', 'ep_1', T0 + 77, Trigger.Manual);
    await until((e) => e.type === 'deliveries-due' && e.at === T0 + 77);
    assert.deepStrictEqual(heard.at(-1), { type: 'deliveries-due', at: T0 + 77 }, 'a resend tells the others too');
  });

  // ----- attempts ----------------------------------------------------------------------------------------------

  test('attempts: getAttempt; listAttempts by message and endpoint with filters; newest first', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k'));
    const m1 = mkMessage('msg_1', 'app_A', { eventType: 'user.created', channels: ['ch1', 'eu'], tags: ['t0'] });
    const m2 = mkMessage('msg_2', 'app_A', { eventType: 'invoice.paid', channels: null, tags: ['t1'] });
    const [d11, d12] = await publish(store, m1, [['ep_1', 'due'], ['ep_2', 'due']]);
    const [d21, d22] = await publish(store, m2, [['ep_1', 'due'], ['ep_2', 'due']]);
    const specs: [Message, string, number | undefined, StatusValue, number, TriggerValue][] = [
      [m1, 'ep_1', d11, Status.Fail, 500, Trigger.Scheduled],
      [m1, 'ep_1', d11, Status.Success, 200, Trigger.Scheduled],
      [m1, 'ep_2', d12, Status.Fail, 0, Trigger.Scheduled],
      [m2, 'ep_1', d21, Status.Success, 204, Trigger.Manual],
      [m2, 'ep_2', d22, Status.Fail, 404, Trigger.Scheduled],
      [m2, 'ep_2', d22, Status.Success, 299, Trigger.Scheduled],
      [m2, 'ep_2', d22, Status.Fail, 300, Trigger.Scheduled],
    ];
    const attempts = specs.map(([m, ep, _d, status, code, trigger], i) =>
      mkAttempt(m, ep, {
        status, responseStatusCode: code, trigger, createdAt: T0 + 10 * (i + 1), response: code ? `body ${i}\n✓` : '', durationMs: i,
        // An attempt that sent nothing (a disabled endpoint, expunged content) records no request.
        ...(code === 0 ? { request: null } : {}),
      }),
    );
    // Recorded under lease 0 while the deliveries are due (not sending): the attempts are logged, the deliveries unchanged.
    await store.queue.recordOutcomes(attempts.map((attempt, i) => ({ attempt, deliveryId: specs[i]![2]!, lease: 0, status: attempt.status, attempts: 1, nextAttemptAt: null })));
    const [a1, a2, a3, a4, a5, a6, a7] = attempts.map((a) => a.id) as [string, string, string, string, string, string, string];

    assert.deepStrictEqual(await store.history.getAttempt('msg_1', a1), attempts[0]);
    assert.deepStrictEqual(await store.history.getAttempt('msg_2', a5), attempts[4]);
    assert.equal(await store.history.getAttempt('msg_2', a1), undefined, 'scoped to its message');
    assert.equal(await store.history.getAttempt('msg_1', 'atmpt_nope'), undefined);

    type Filter = Parameters<Storage['history']['listAttempts']>[0];
    const ids = async (filter: Filter, order: Page['order'] = 'descending') => (await store.history.listAttempts(filter, page(order))).data.map((a) => a.id);
    assert.deepEqual(await ids({ messageId: 'msg_1' }), [a3, a2, a1], 'newest first');
    assert.deepEqual(await ids({ messageId: 'msg_1' }, 'ascending'), [a1, a2, a3]);
    assert.deepEqual(await ids({ endpointId: 'ep_1' }), [a4, a2, a1]);
    assert.deepEqual(await ids({ endpointId: 'ep_2' }), [a7, a6, a5, a3]);
    assert.deepEqual(await ids({ messageId: 'msg_2', endpointId: 'ep_2' }), [a7, a6, a5]);
    assert.deepEqual(await ids({ endpointId: 'ep_2', status: Status.Fail }), [a7, a5, a3]);
    assert.deepEqual(await ids({ endpointId: 'ep_2', status: Status.Success }), [a6]);
    assert.deepEqual(await ids({ endpointId: 'ep_2', statusCodeClass: 0 }), [a3], 'class 0: no response');
    assert.deepEqual(await ids({ messageId: 'msg_2', statusCodeClass: 200 }), [a6, a4], '200 covers 200..299');
    assert.deepEqual(await ids({ messageId: 'msg_2', statusCodeClass: 300 }), [a7]);
    assert.deepEqual(await ids({ messageId: 'msg_2', statusCodeClass: 400 }), [a5]);
    assert.deepEqual(await ids({ messageId: 'msg_1', statusCodeClass: 500 }), [a1]);
    assert.deepEqual(await ids({ endpointId: 'ep_2', eventTypes: ['invoice.paid'] }), [a7, a6, a5], 'event type of the message');
    assert.deepEqual(await ids({ endpointId: 'ep_2', eventTypes: ['invoice.paid', 'user.created'] }), [a7, a6, a5, a3]);
    assert.deepEqual(await ids({ endpointId: 'ep_1', channel: 'ch1' }), [a2, a1], 'channel of the message');
    assert.deepEqual(await ids({ endpointId: 'ep_1', channel: 'ch' }), []);
    assert.deepEqual(await ids({ endpointId: 'ep_2', tag: 't1' }), [a7, a6, a5], 'tag of the message');
    assert.deepEqual(await ids({ endpointId: 'ep_2', before: T0 + 60 }), [a5, a3], 'before the attempt time, strict');
    assert.deepEqual(await ids({ endpointId: 'ep_2', after: T0 + 50 }), [a7, a6], 'after the attempt time, strict');
    assert.deepEqual(await ids({ endpointId: 'ep_2', after: T0 + 30, before: T0 + 70, status: Status.Fail, eventTypes: ['invoice.paid'] }), [a5], 'filters combine');
    assert.deepStrictEqual((await store.history.listAttempts({ endpointId: 'ep_1' }, page())).data, [attempts[0], attempts[1], attempts[3]], 'whole attempts');

    // Deliveries were not sending, so the attempts did not change them.
    assert.equal((await deliveryOf(store, 'msg_1', 'ep_1'))?.attempts, 0);
  });

  test('attempts: list pagination', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k'));
    const m = mkMessage('msg_1', 'app_A');
    const [d1, d2] = await publish(store, m, [['ep_1', 'due'], ['ep_2', 'due']]);
    const ids = MIXED.map((s) => `atmpt_${s}`);
    await store.queue.recordOutcomes(ids.map((id, i) => ({
      attempt: mkAttempt(m, i % 3 === 0 ? 'ep_2' : 'ep_1', { id, createdAt: T0 + i }), deliveryId: i % 3 === 0 ? d2! : d1!, lease: 0, status: Status.Success, attempts: 1, nextAttemptAt: null,
    })));
    await checkPagination('listAttempts(message)', (p) => store.history.listAttempts({ messageId: 'msg_1' }, p), (a) => a.id, ids);
    await checkPagination('listAttempts(endpoint)', (p) => store.history.listAttempts({ endpointId: 'ep_1' }, p), (a) => a.id, ids.filter((_, i) => i % 3 !== 0));
  });

  // ----- delivery listings -------------------------------------------------------------------------------------

  test('listMessageDeliveries: one row per endpoint of the message, paginated by endpoint', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    const eps = MIXED.map((s) => `ep_${s}`);
    for (const id of eps) await store.catalog.createEndpoint(mkEndpoint(id, 'app_A'), mkKey('k'));
    const ids = await publish(store, mkMessage('msg_1', 'app_A'), eps.map((id, i) => [id, i % 2 ? 'due' : 'parked'] as [string, Admission]));
    await publish(store, mkMessage('msg_2', 'app_A'), [[eps[0]!, 'due']]);
    const all = await deliveriesOf(store, 'msg_1');
    assert.deepEqual(all.map((d) => d.endpointId), [...eps].sort(byteOrder));
    assert.deepEqual(all.map((d) => d.id).sort((a, b) => a - b), [...ids].sort((a, b) => a - b));
    assert.ok(all.every((d) => d.messageId === 'msg_1'));
    assert.deepStrictEqual(await deliveriesOf(store, 'msg_none'), []);
    await checkPagination('listMessageDeliveries', (p) => store.history.listMessageDeliveries('msg_1', p), (d) => d.endpointId, eps);
  });

  test('listEndpointDeliveries: messages sent to an endpoint with their delivery, status and message filters, paginated', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k'));
    const msgIds = MIXED.map((s) => `msg_${s}`);
    const messages = new Map<string, Message>();
    const delivered = new Map<string, number>();
    for (const [i, id] of msgIds.entries()) {
      const m = mkMessage(id, 'app_A', { eventType: i % 2 ? 'invoice.paid' : 'user.created', channels: i % 3 ? null : ['eu'], createdAt: T0 + i * 10 });
      messages.set(id, m);
      const [d1] = await publish(store, m, i === 4 ? [['ep_2', 'due']] : [['ep_1', i % 4 === 1 ? 'leased' : 'due'], ['ep_2', 'due']]);
      if (i !== 4) delivered.set(id, d1!);
    }
    const expectedIds = msgIds.filter((_, i) => i !== 4);
    const all = (await store.history.listEndpointDeliveries('ep_1', {}, page())).data;
    assert.deepEqual(all.map((x) => x.message.id), [...expectedIds].sort(byteOrder), 'by message id; only messages sent to this endpoint');
    for (const { message, delivery } of all) {
      assert.deepStrictEqual(message, messages.get(message.id));
      assert.deepStrictEqual(delivery, await deliveryOf(store, message.id, 'ep_1'));
      assert.equal(delivery.id, delivered.get(message.id));
    }
    const ids = async (filter: Parameters<Storage['history']['listEndpointDeliveries']>[1]) =>
      (await store.history.listEndpointDeliveries('ep_1', filter, page())).data.map((x) => x.message.id);
    // Leased at creation (so sending): the deliveries of messages 1, 5 and 9.
    const sending = msgIds.filter((_, i) => i % 4 === 1).sort(byteOrder);
    assert.deepEqual(await ids({ status: Status.Sending }), sending);
    assert.deepEqual(await ids({ status: Status.Pending }), expectedIds.filter((id) => !sending.includes(id)).sort(byteOrder));
    assert.deepEqual(await ids({ status: Status.Success }), []);
    assert.deepEqual(await ids({ eventTypes: ['invoice.paid'] }), expectedIds.filter((id) => messages.get(id)!.eventType === 'invoice.paid').sort(byteOrder));
    assert.deepEqual(await ids({ channel: 'eu' }), expectedIds.filter((id) => messages.get(id)!.channels !== null).sort(byteOrder));
    assert.deepEqual(await ids({ after: T0 + 20, before: T0 + 60 }), expectedIds.filter((id) => {
      const t = messages.get(id)!.createdAt;
      return t > T0 + 20 && t < T0 + 60;
    }).sort(byteOrder), 'before/after on the message time');
    await checkPagination('listEndpointDeliveries', (p) => store.history.listEndpointDeliveries('ep_1', {}, p), (x) => x.message.id, expectedIds);
    await checkPagination('listEndpointDeliveries(status)', (p) => store.history.listEndpointDeliveries('ep_1', { status: Status.Pending }, p), (x) => x.message.id,
      expectedIds.filter((id) => !sending.includes(id)));
  });

  // ----- deletion ----------------------------------------------------------------------------------------------

  test('deleteApp removes its endpoints, keys, messages, deliveries and attempts, and nothing of other apps', async (store) => {
    for (const app of ['app_A', 'app_B']) {
      await store.catalog.createApp(mkApp(app, { uid: `uid-${app}` }));
      await store.catalog.createEndpoint(mkEndpoint(`ep_${app}`, app, { uid: 'hook' }), mkKey(`key-${app}`));
      const m = mkMessage(`msg_${app}`, app, { eventId: 'evt' });
      const [id] = await publish(store, m, [[`ep_${app}`, 'due']], { dueAt: T0 });
      await store.queue.recordOutcomes([{ attempt: mkAttempt(m, `ep_${app}`, { id: `atmpt_${app}` }), deliveryId: id!, lease: 0, status: Status.Success, attempts: 1, nextAttemptAt: null }]);
      await store.history.putIdempotentResponse(app, 'k', { statusCode: 202, body: app }, T0 + 1000);
    }
    await store.catalog.deleteApp('app_A');

    assert.equal(await store.catalog.getApp('app_A'), undefined);
    assert.equal(await store.catalog.getApp('uid-app_A'), undefined);
    assert.equal(await store.catalog.getEndpointById('ep_app_A'), undefined);
    assert.deepStrictEqual(await store.catalog.listAllEndpoints('app_A'), []);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_app_A', T0), []);
    assert.equal(await store.history.getMessage('app_A', 'msg_app_A'), undefined);
    assert.deepStrictEqual((await store.history.listMessages('app_A', {}, page())).data, []);
    assert.deepStrictEqual(await deliveriesOf(store, 'msg_app_A'), []);
    assert.deepStrictEqual((await store.history.listEndpointDeliveries('ep_app_A', {}, page())).data, []);
    assert.equal(await store.history.getAttempt('msg_app_A', 'atmpt_app_A'), undefined);
    assert.deepStrictEqual((await store.history.listAttempts({ messageId: 'msg_app_A' }, page())).data, []);
    assert.deepStrictEqual((await store.history.listAttempts({ endpointId: 'ep_app_A' }, page())).data, []);
    assert.deepStrictEqual(await store.stats.endpointStats('ep_app_A', null, null), { success: 0, pending: 0, sending: 0, fail: 0, canceled: 0 });

    assert.ok(await store.catalog.getApp('uid-app_B'));
    assert.ok(await store.catalog.getEndpoint('app_B', 'hook'));
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_app_B', T0), [mkKey('key-app_B')]);
    assert.ok(await store.history.getMessage('app_B', 'evt'));
    assert.ok(await store.history.getAttempt('msg_app_B', 'atmpt_app_B'));
    assert.deepEqual((await store.queue.claimDueDeliveries(T0, T0 + 1000, 10)).map((c) => c.messageId), ['msg_app_B'], 'only the other app is queued');

    // The app's ids and uids are free again.
    await store.catalog.createApp(mkApp('app_A', { uid: 'uid-app_A' }));
    await store.catalog.createEndpoint(mkEndpoint('ep_app_A', 'app_A', { uid: 'hook' }), mkKey('new'));
    await publish(store, mkMessage('msg_app_A', 'app_A', { eventId: 'evt' }), []);
    assert.deepStrictEqual((await store.history.listAttempts({ messageId: 'msg_app_A' }, page())).data, [], 'no old attempt reappears');
  });

  test('deleteEndpoint removes its deliveries and attempts; the message and other endpoints stay', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k1'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k2'));
    const m = mkMessage('msg_1', 'app_A');
    const [d1, d2] = await publish(store, m, [['ep_1', 'due'], ['ep_2', 'due']], { dueAt: T0 });
    const a1 = mkAttempt(m, 'ep_1');
    const a2 = mkAttempt(m, 'ep_2');
    await store.queue.recordOutcomes([
      { attempt: a1, deliveryId: d1!, lease: 0, status: Status.Fail, attempts: 1, nextAttemptAt: null },
      { attempt: a2, deliveryId: d2!, lease: 0, status: Status.Fail, attempts: 1, nextAttemptAt: null },
    ]);
    await store.catalog.deleteEndpoint('ep_1');

    assert.equal(await store.catalog.getEndpointById('ep_1'), undefined);
    assert.deepStrictEqual(await store.catalog.getEndpointKeys('ep_1', T0), []);
    assert.deepStrictEqual(await store.history.getMessage('app_A', 'msg_1'), m, 'the message stays');
    assert.deepEqual((await deliveriesOf(store, 'msg_1')).map((d) => d.id), [d2]);
    assert.deepStrictEqual((await store.history.listEndpointDeliveries('ep_1', {}, page())).data, []);
    assert.equal(await store.history.getAttempt('msg_1', a1.id), undefined);
    assert.deepStrictEqual((await store.history.listAttempts({ messageId: 'msg_1' }, page())).data, [a2]);
    assert.deepStrictEqual((await store.history.listAttempts({ endpointId: 'ep_1' }, page())).data, []);
    assert.deepStrictEqual(await store.stats.endpointStats('ep_1', null, null), { success: 0, pending: 0, sending: 0, fail: 0, canceled: 0 });
    assert.deepEqual((await store.queue.claimDueDeliveries(T0, T0 + 1000, 10)).map((c) => c.deliveryId), [d2]);
    assert.deepEqual((await store.catalog.listAllEndpoints('app_A')).map((e) => e.id), ['ep_2']);
  });
}
