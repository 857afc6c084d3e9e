import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Svix } from 'svix';
import { EndpointCache } from '../../src/delivery/endpoint-cache.ts';
import { checkFilter, filterMatches, parsePath, type EndpointFilter, type FilterSubject } from '../../src/delivery/filter.ts';
import { Publisher } from '../../src/delivery/publish.ts';
import { HeraldError } from '../../src/lib/errors.ts';
import type { Endpoint } from '../../src/store/types.ts';
import { api, runCli, startTestHerald } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';
import { loadBackends } from '../helpers/stores.ts';

const push = {
  ref: 'refs/heads/main',
  size: 2,
  forced: false,
  before: null,
  repository: { full_name: 'acme/api', id: 42, topics: ['go', 'web'], 'app.kubernetes.io/name': 'api', 'back\\slash': 1, 0: 'zero' },
  commits: [{ id: 'c1', author: { name: 'ann' } }, { id: 'c2', author: { name: 'bob' } }],
};
const body = (b: unknown): FilterSubject => ({ headers: {}, body: b });
const matches = (filter: EndpointFilter | null, subject: FilterSubject = body(push)) => filterMatches(filter, subject);

describe('filterMatches', () => {
  test('no filter, or one without conditions, lets everything through', () => {
    assert.equal(matches(null), true);
    assert.equal(matches(null, body('not even an object')), true);
    assert.equal(matches({}), true);
    assert.equal(matches({ body: {}, headers: {} }), true);
  });

  test('dot paths reach nested fields; digits index arrays', () => {
    assert.equal(matches({ body: { ref: 'refs/heads/main' } }), true);
    assert.equal(matches({ body: { ref: 'refs/heads/dev' } }), false);
    assert.equal(matches({ body: { 'repository.full_name': 'acme/api' } }), true);
    assert.equal(matches({ body: { 'commits.0.id': 'c1', 'commits.1.author.name': 'bob' } }), true);
    assert.equal(matches({ body: { 'commits.1.id': 'c1' } }), false);
    assert.equal(matches({ body: { 'repository.topics.1': 'web' } }), true);
    // On an object, digits are a key like any other.
    assert.equal(matches({ body: { 'repository.0': 'zero' } }), true);
  });

  test('a literal dot or backslash in a key is escaped with a backslash', () => {
    assert.equal(matches({ body: { 'repository.app\\.kubernetes\\.io/name': 'api' } }), true);
    assert.equal(matches({ body: { 'repository.back\\\\slash': 1 } }), true);
    assert.equal(matches({ body: { 'repository.app.kubernetes.io/name': 'api' } }), false, 'unescaped, the dots separate keys');
    assert.deepEqual(parsePath('a\\.b.c\\\\'), ['a.b', 'c\\']);
    for (const bad of ['', '.a', 'a.', 'a..b', 'a\\b', 'a\\']) assert.equal(parsePath(bad), null, bad);
  });

  test('values compare strictly: numbers are not strings, null is not absent', () => {
    assert.equal(matches({ body: { size: 2 } }), true);
    assert.equal(matches({ body: { size: '2' } }), false);
    assert.equal(matches({ body: { 'repository.id': '42' } }), false);
    assert.equal(matches({ body: { forced: false } }), true);
    assert.equal(matches({ body: { forced: 'false' } }), false);
    assert.equal(matches({ body: { forced: null } }), false);
    assert.equal(matches({ body: { before: null } }), true);
    assert.equal(matches({ body: { missing: null } }), false);
    assert.equal(matches({ body: { 'missing.deeper.still': 'x' } }), false);
    assert.equal(matches({ body: { 'ref.length': 15 } }), false, 'strings have no fields');
  });

  test('objects and arrays never equal a scalar; arrays have only their indexes', () => {
    assert.equal(matches({ body: { repository: 'acme/api' } }), false);
    assert.equal(matches({ body: { 'repository.topics': 'go' } }), false, 'no "contains": index the array');
    assert.equal(matches({ body: { 'commits.length': 2 } }), false);
    assert.equal(matches({ body: { 'commits.5.id': 'c1' } }), false);
    assert.equal(matches({ body: { 'commits.01.id': 'c2' } }), false, 'only canonical indexes');
  });

  test('inherited properties are not fields', () => {
    for (const path of ['constructor', '__proto__', 'ref.constructor', 'toString', 'commits.constructor']) {
      assert.equal(matches({ body: { [path]: { $exists: true } } }), false, path);
    }
  });

  test('a list of values means any of them', () => {
    assert.equal(matches({ body: { ref: ['refs/heads/dev', 'refs/heads/main'] } }), true);
    assert.equal(matches({ body: { ref: ['refs/heads/dev', 'refs/heads/release'] } }), false);
    assert.equal(matches({ body: { size: ['2', 3] } }), false);
    assert.equal(matches({ body: { before: ['x', null] } }), true);
  });

  test('$exists tells present (even null) from absent', () => {
    assert.equal(matches({ body: { before: { $exists: true } } }), true);
    assert.equal(matches({ body: { deleted: { $exists: false } } }), true);
    assert.equal(matches({ body: { deleted: { $exists: true } } }), false);
    assert.equal(matches({ body: { 'commits.0': { $exists: true }, 'commits.2': { $exists: false } } }), true);
  });

  test('every condition must hold', () => {
    const filter: EndpointFilter = { body: { ref: 'refs/heads/main', 'repository.full_name': 'acme/api' }, headers: { 'x-github-event': 'push' } };
    assert.equal(matches(filter, { headers: { 'x-github-event': 'push' }, body: push }), true);
    assert.equal(matches(filter, { headers: { 'x-github-event': 'ping' }, body: push }), false);
    assert.equal(matches(filter, { headers: { 'x-github-event': 'push' }, body: { ...push, ref: 'refs/heads/dev' } }), false);
    assert.equal(matches(filter, body(push)), false, 'a header condition fails without headers');
  });

  test('header names in any case; values exactly; a repeated header matches on any of its values', () => {
    const subject: FilterSubject = { headers: { 'x-github-event': 'push', 'x-tags': ['a', 'b'], 'x-none': undefined }, body: null };
    assert.equal(matches({ headers: { 'X-GitHub-Event': 'push' } }, subject), true);
    assert.equal(matches({ headers: { 'X-GitHub-Event': 'Push' } }, subject), false);
    assert.equal(matches({ headers: { 'x-github-event': ['ping', 'push'] } }, subject), true);
    assert.equal(matches({ headers: { 'x-tags': 'b' } }, subject), true);
    assert.equal(matches({ headers: { 'x-tags': ['c', 'a'] } }, subject), true);
    assert.equal(matches({ headers: { 'x-tags': 'a, b' } }, subject), false);
    assert.equal(matches({ headers: { 'x-tags': { $exists: true }, 'x-none': { $exists: false }, 'x-other': { $exists: false } } }, subject), true);
    assert.equal(matches({ headers: { 'X-Mixed': 'yes' } }, { headers: { 'X-MIXED': 'yes' }, body: null }), true, 'subject names in any case too');
    assert.equal(matches({ headers: { constructor: { $exists: true } } }, subject), false);
  });

  test('a filter with a malformed path (never from the API) matches nothing', () => {
    assert.equal(matches({ body: { 'a..b': { $exists: false } } }), false);
  });

  test('checkFilter: header names, paths, the number of conditions; no conditions is no filter', () => {
    const rejects = (filter: EndpointFilter, loc: string[], msg: RegExp) =>
      assert.throws(() => checkFilter(filter), (err: unknown) => {
        assert.ok(err instanceof HeraldError && err.statusCode === 422);
        assert.deepEqual(err.validation?.[0]?.loc, loc);
        assert.match(err.detail, msg);
        return true;
      });
    rejects({ headers: { 'bad name': 'x' } }, ['body', 'filter', 'headers', 'bad name'], /not a valid HTTP header name/);
    rejects({ body: { 'a..b': 1 } }, ['body', 'filter', 'body', 'a..b'], /not a dot path/);
    rejects({ body: { [`${'a'.repeat(257)}`]: 1 } }, ['body', 'filter', 'body', 'a'.repeat(257)], /256 characters at most/);
    const many = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i]));
    rejects({ body: many, headers: Object.fromEntries(Object.keys(many).map((k) => [`x-${k}`, 'v'])) }, ['body', 'filter'], /at most 20 conditions/);
    assert.equal(checkFilter({ body: {} }), null);
    assert.equal(checkFilter(undefined), undefined);
    const ok: EndpointFilter = { body: { 'a\\.b': 1 }, headers: { 'X-A': 'b' } };
    assert.equal(checkFilter(ok), ok);
  });
});

describe('publishing with filterSubject', () => {
  test('the inbound gateway can filter on the headers and body it received', async () => {
    const [backend] = await loadBackends();
    const opened = await backend!.open();
    try {
      const { store } = opened;
      const now = Date.now();
      await store.catalog.createApp({ id: 'app_f', uid: null, name: 'f', metadata: {}, throttleRate: null, createdAt: now, updatedAt: now });
      const mk = (id: string, filter: EndpointFilter | null): Endpoint => ({
        id, appId: 'app_f', uid: null, url: `https://example.com/${id}`, description: '', eventTypes: null, channels: null, disabled: false,
        throttleRate: null, concurrency: null, retrySchedule: null, requestTimeout: null, destination: null, chat: null, ordered: false, filter, metadata: {}, headers: {}, createdAt: now, updatedAt: now,
      });
      await store.catalog.createEndpoint(mk('ep_all', null), { key: 'a2V5', createdAt: now, expiresAt: null });
      await store.catalog.createEndpoint(mk('ep_push', { headers: { 'X-GitHub-Event': 'push' } }), { key: 'a2V5', createdAt: now, expiresAt: null });
      await store.catalog.createEndpoint(mk('ep_main', { body: { ref: 'refs/heads/main' } }), { key: 'a2V5', createdAt: now, expiresAt: null });
      const publisher = new Publisher({ history: store.history, queue: store.queue }, new EndpointCache(store.catalog, store.transformations, store.endpointAuth), null);
      const app = (await store.catalog.getApp('app_f'))!;
      const targets = async (input: { payload: object; filterSubject?: FilterSubject }) => {
        const out = await publisher.publish({ app, message: { eventType: 'e', eventId: null, channels: null, tags: null, deliverAt: null, ...input }, respond: () => '{}' });
        assert.ok('message' in out);
        const deliveries = await store.history.listMessageDeliveries(out.message.id, { limit: 10, iterator: null, order: 'ascending' });
        return deliveries.data.map((d) => d.endpointId).sort();
      };
      assert.deepEqual(await targets({ payload: { ref: 'refs/heads/main' } }), ['ep_all', 'ep_main'], 'without a subject: the payload, no headers');
      const received = { headers: { 'x-github-event': 'push' }, body: { ref: 'refs/heads/main' } };
      assert.deepEqual(await targets({ payload: { wrapped: true }, filterSubject: received }), ['ep_all', 'ep_main', 'ep_push'], 'the subject, not the payload');
      assert.deepEqual(await targets({ payload: {}, filterSubject: { ...received, body: 'not json' } }), ['ep_all', 'ep_push']);
    } finally {
      await opened.cleanup();
    }
  });
});

describe('stores keep the filter', async () => {
  for (const backend of await loadBackends()) {
    test(backend.name, { skip: backend.skip }, async () => {
      if (backend.failure) assert.fail(backend.failure);
      const opened = await backend.open();
      try {
        const { store } = opened;
        await store.catalog.createApp({ id: 'app_s', uid: null, name: 's', metadata: {}, throttleRate: null, createdAt: 1, updatedAt: 1 });
        const filter: EndpointFilter = {
          headers: { 'X-Event': ['a', 'b'], 'x-sig': { $exists: true } },
          body: { 'a\\.b.c': 1.5, 'd.0': null, e: [true, 'é ✓', -3], f: { $exists: false } },
        };
        const ep: Endpoint = {
          id: 'ep_s', appId: 'app_s', uid: null, url: 'https://example.com/s', description: '', eventTypes: null, channels: null, disabled: false,
          throttleRate: null, concurrency: null, retrySchedule: null, requestTimeout: null, destination: null, chat: null, ordered: false, filter, metadata: {}, headers: {}, createdAt: 1, updatedAt: 1,
        };
        await store.catalog.createEndpoint(ep, { key: 'a2V5', createdAt: 1, expiresAt: null });
        assert.deepEqual((await store.catalog.getEndpointById('ep_s'))?.filter, filter);
        assert.deepEqual((await store.catalog.listAllEndpoints('app_s'))[0]?.filter, filter);
        await store.catalog.updateEndpoint({ ...ep, filter: { body: { x: 'y' } }, updatedAt: 2 });
        assert.deepEqual((await store.catalog.getEndpoint('app_s', 'ep_s'))?.filter, { body: { x: 'y' } });
        await store.catalog.updateEndpoint({ ...ep, filter: null, updatedAt: 3 });
        assert.equal((await store.catalog.getEndpoint('app_s', 'ep_s'))?.filter, null);
      } finally {
        await opened.cleanup();
      }
    });
  }
});

describe('the API', () => {
  let herald: Awaited<ReturnType<typeof startTestHerald>>;
  let receiver: Receiver;
  let appId: string;
  const rnd = () => randomBytes(5).toString('hex');

  before(async () => {
    herald = await startTestHerald();
    receiver = await Receiver.start();
  });
  after(async () => {
    await receiver.close();
    await herald.cleanup();
  });

  const newApp = async () => {
    const app = await api(herald.url, 'POST', '/api/v1/app', { name: 'filters', uid: `filters-${rnd()}` });
    assert.equal(app.status, 201, app.text);
    return (appId = app.json.id as string);
  };
  const createEndpoint = async (path: string, extra: object = {}) => {
    const res = await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url(path), ...extra });
    assert.equal(res.status, 201, res.text);
    return res.json as { id: string; filter?: EndpointFilter | null };
  };
  const publish = async (payload: object, eventType = 'push') => {
    const res = await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType, payload });
    assert.equal(res.status, 202, res.text);
    return res.json.id as string;
  };
  /** The endpoints a message has deliveries for: decided, and stored, when it is published. */
  const destinations = async (msgId: string) => {
    const page = await herald.store.history.listMessageDeliveries(msgId, { limit: 50, iterator: null, order: 'ascending' });
    return page.data.map((d) => d.endpointId).sort();
  };

  test('only endpoints whose filter matches get the message, and they receive it', async () => {
    await newApp();
    const all = await createEndpoint('/all');
    const main = await createEndpoint('/main', { filter: { body: { ref: 'refs/heads/main' } } });
    const team = await createEndpoint('/team', { filter: { body: { 'repository.full_name': 'acme/api', 'commits.0.author.name': ['ann', 'bob'] } } });
    const typed = await createEndpoint('/typed', { eventTypes: ['release'], filter: { body: { ref: 'refs/heads/main' } } });
    const headed = await createEndpoint('/headed', { filter: { headers: { 'X-GitHub-Event': 'push' } } });
    assert.deepEqual(main.filter, { body: { ref: 'refs/heads/main' } });
    assert.equal(all.filter, null);

    const m1 = await publish(push);
    const m2 = await publish({ ...push, ref: 'refs/heads/dev' });
    const m3 = await publish({ ref: 'refs/heads/main', repository: { full_name: 'acme/web' }, commits: [] });
    const m4 = await publish({ ref: 'refs/heads/main' }, 'release');
    assert.deepEqual(await destinations(m1), [all.id, main.id, team.id].sort());
    assert.deepEqual(await destinations(m2), [all.id, team.id].sort());
    assert.deepEqual(await destinations(m3), [all.id, main.id].sort());
    assert.deepEqual(await destinations(m4), [all.id, main.id, typed.id].sort(), 'event types and filter both apply');
    // Header conditions only hold for inbound requests: a message published through the API has no headers.
    for (const m of [m1, m2, m3, m4]) assert.ok(!(await destinations(m)).includes(headed.id));

    await receiver.waitFor((r) => r.filter((x) => ['/all', '/main', '/team', '/typed'].includes(x.path)).length === 10, 10_000, 'deliveries');
    const ids = (path: string) => receiver.on(path).map((r) => r.headers['webhook-id']).sort();
    assert.deepEqual(ids('/main'), [m1, m3, m4].sort());
    assert.deepEqual(ids('/team'), [m1, m2].sort());
    assert.deepEqual(ids('/typed'), [m4]);
    assert.deepEqual(ids('/headed'), []);
  });

  test('bad filters are refused with 422 and nothing is stored', async () => {
    await newApp();
    const bad: [unknown, string[]][] = [
      [{ body: { ref: { nested: 'object' } } }, ['body', 'filter', 'body', 'ref']],
      [{ body: { ref: [] } }, ['body', 'filter', 'body', 'ref']],
      [{ body: { ref: 'x'.repeat(1025) } }, ['body', 'filter', 'body', 'ref']],
      [{ body: { 'a..b': 1 } }, ['body', 'filter', 'body', 'a..b']],
      [{ headers: { 'Bad Header': 'x' } }, ['body', 'filter', 'headers', 'Bad Header']],
      [{ headers: { 'x-a': 1 } }, ['body', 'filter', 'headers', 'x-a']],
      [{ body: { a: { $exists: 'yes' } } }, ['body', 'filter', 'body', 'a', '$exists']],
      [{ query: { a: 1 } }, ['body', 'filter']],
      [{ body: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])) }, ['body', 'filter', 'body']],
      [{ body: Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, i])), headers: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`x-${i}`, 'v'])) }, ['body', 'filter']],
      ['refs/heads/main', ['body', 'filter']],
    ];
    for (const [filter, loc] of bad) {
      const res = await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url('/bad'), filter });
      assert.equal(res.status, 422, `${JSON.stringify(filter)}: ${res.text}`);
      assert.ok((res.json.detail as { loc: string[] }[]).some((d) => JSON.stringify(d.loc) === JSON.stringify(loc)), `${JSON.stringify(filter)}: ${res.text}`);
    }
    assert.equal((await api(herald.url, 'GET', `/api/v1/app/${appId}/endpoint`)).json.data.length, 0);

    const ep = await createEndpoint('/kept', { filter: { body: { ref: 'refs/heads/main' } } });
    for (const method of ['PATCH', 'PUT']) {
      const res = await api(herald.url, method, `/api/v1/app/${appId}/endpoint/${ep.id}`, { url: receiver.url('/changed'), filter: { body: { '.x': 1 } } });
      assert.equal(res.status, 422, res.text);
    }
    const kept = await api(herald.url, 'GET', `/api/v1/app/${appId}/endpoint/${ep.id}`);
    assert.equal(kept.json.url, receiver.url('/kept'));
    assert.deepEqual(kept.json.filter, { body: { ref: 'refs/heads/main' } });
  });

  test('PATCH keeps an absent filter and clears a null one; PUT replaces it but keeps it when absent; {} is no filter', async () => {
    await newApp();
    const ep = await createEndpoint('/p', { filter: { body: { ref: 'refs/heads/main' } } });
    const path = `/api/v1/app/${appId}/endpoint/${ep.id}`;
    assert.deepEqual((await api(herald.url, 'PATCH', path, { description: 'd' })).json.filter, { body: { ref: 'refs/heads/main' } });
    assert.deepEqual((await api(herald.url, 'PUT', path, { url: receiver.url('/p') })).json.filter, { body: { ref: 'refs/heads/main' } });
    const other = { body: { ref: { $exists: true } }, headers: { 'X-A': 'b' } };
    assert.deepEqual((await api(herald.url, 'PUT', path, { url: receiver.url('/p'), filter: other })).json.filter, other);
    assert.deepEqual((await api(herald.url, 'PATCH', path, { filter: { body: { n: 1 } } })).json.filter, { body: { n: 1 } });
    assert.equal((await api(herald.url, 'PATCH', path, { filter: null })).json.filter, null);
    assert.equal((await api(herald.url, 'GET', path)).json.filter, null);
    assert.deepEqual(await destinations(await publish({ ref: 'anything' })), [ep.id], 'the cleared filter no longer applies');
    assert.equal((await api(herald.url, 'PATCH', path, { filter: { body: {}, headers: {} } })).json.filter, null);
    const created = await api(herald.url, 'PUT', `/api/v1/app/${appId}/endpoint/new-${rnd()}`, { url: receiver.url('/n'), filter: { body: { n: 2 } } });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.json.filter, { body: { n: 2 } });
  });

  test('the svix client works with filtered endpoints and keeps their filter', async () => {
    await newApp();
    const svix = new Svix(herald.token, { serverUrl: herald.url });
    const filter = { body: { ref: 'refs/heads/main' }, headers: { 'x-event': ['push', 'ping'] } };
    const ep = await createEndpoint('/svix', { filter, uid: `svix-${rnd()}` });
    const got = await svix.endpoint.get(appId, ep.id);
    assert.equal(got.id, ep.id);
    assert.equal(got.url, receiver.url('/svix'));
    assert.equal((await svix.endpoint.list(appId)).data[0]?.id, ep.id);
    await svix.endpoint.upsert(appId, ep.id, { url: receiver.url('/svix2'), description: 'updated by svix' });
    await svix.endpoint.patch(appId, ep.id, { throttleRate: 10 });
    const after = await api(herald.url, 'GET', `/api/v1/app/${appId}/endpoint/${ep.id}`);
    assert.equal(after.json.description, 'updated by svix');
    assert.deepEqual(after.json.filter, filter, 'clients that do not know the field leave it alone');
  });

  test('herald endpoint create/update --filter, and get shows it', async () => {
    const app = await newApp();
    const env = { HERALD_URL: herald.url, HERALD_TOKEN: herald.token };
    const created = await runCli(['endpoint', 'create', receiver.url('/cli'), '--app', app, '--filter', '{"body":{"ref":"refs/heads/main"}}', '--json'], env);
    assert.equal(created.code, 0, created.output);
    const ep = JSON.parse(created.stdout) as { id: string; filter: EndpointFilter };
    assert.deepEqual(ep.filter, { body: { ref: 'refs/heads/main' } });

    const shown = await runCli(['endpoint', 'get', ep.id, '--app', app], env);
    assert.equal(shown.code, 0, shown.output);
    assert.match(shown.stdout, /^filter\s+\{"body":\{"ref":"refs\/heads\/main"\}\}$/m);

    const [notJson, refused] = await Promise.all([
      runCli(['endpoint', 'update', ep.id, '--app', app, '--filter', '{body:'], env),
      runCli(['endpoint', 'update', ep.id, '--app', app, '--filter', '{"body":{"a..b":1}}'], env),
    ]);
    assert.equal(notJson.code, 2, notJson.output);
    assert.match(notJson.output, /--filter must be JSON/);
    assert.equal(refused.code, 2, refused.output);
    assert.match(refused.output, /not a dot path/);

    const cleared = await runCli(['endpoint', 'update', ep.id, '--app', app, '--filter', 'none', '--json'], env);
    assert.equal(cleared.code, 0, cleared.output);
    assert.equal(JSON.parse(cleared.stdout).filter, null);
    const none = await runCli(['endpoint', 'get', ep.id, '--app', app], env);
    assert.match(none.stdout, /^filter\s+-$/m);
  });
});

test('replay-missing sends an endpoint only the missing messages its filter wants', async () => {
  const { selectsForReplay } = await import('../../src/delivery/tasks.ts');
  const endpoint = {
    id: 'ep_1', appId: 'app_1', uid: null, url: 'https://example.com', description: '', eventTypes: null, channels: null, disabled: false,
    throttleRate: null, concurrency: null, retrySchedule: null, requestTimeout: null, destination: null, chat: null, ordered: false, metadata: {}, headers: {}, createdAt: 0, updatedAt: 0,
    filter: { body: { ref: 'refs/heads/main' } },
  };
  const task = { kind: 'endpoint.replay', params: { since: 0, until: null } } as never;
  const message = (payload: string) => ({ id: 'msg_1', appId: 'app_1', eventId: null, eventType: 'push', channels: null, tags: null, payload, createdAt: 0, deliverAt: null });
  assert.equal(selectsForReplay(task, endpoint, message('{"ref":"refs/heads/main"}'), null), true);
  assert.equal(selectsForReplay(task, endpoint, message('{"ref":"refs/heads/dev"}'), null), false);
  assert.equal(selectsForReplay(task, endpoint, message('not json'), null), false);
  assert.equal(selectsForReplay(task, { ...endpoint, filter: null }, message('not json'), null), true);
});
