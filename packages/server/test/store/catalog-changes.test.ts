/**
 * Invalidation is a property of the write (store/catalog-changes.ts): every committed write that changes what an
 * endpoint cache holds is heard at once by this process's bus listeners and broadcast to the other processes, on
 * both backends; and across two PostgreSQL processes such a change is seen by the other one at once, not after its
 * cache's 30 s maximum age.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EndpointCache } from '../../src/delivery/endpoint-cache.ts';
import { announcingCatalogChanges } from '../../src/store/catalog-changes.ts';
import type { App, Bus, Endpoint, EndpointKey, Source, Storage, StoreEvent } from '../../src/store/storage.ts';
import { ADMIN_TOKEN, api, runCli, spawnHerald, type HeraldProcess } from '../helpers/herald.ts';
import { PG_TEST_ENCRYPTION_KEY, PG_TEST_URL, dropSchema, postgresUnavailable, uniqueSchema } from '../helpers/pg.ts';
import { describeEachBackend, loadBackends } from '../helpers/stores.ts';
import { until } from '../helpers/wait.ts';

const backends = await loadBackends();
const skipPostgres = await postgresUnavailable();
const T0 = 1_700_000_000_000;

const mkApp = (id: string): App => ({ id, uid: null, name: id, metadata: {}, throttleRate: null, createdAt: T0, updatedAt: T0 });
const mkEndpoint = (id: string, appId: string, over: Partial<Endpoint> = {}): Endpoint => ({
  id, appId, uid: null, url: `https://example.com/${id}`, description: '', eventTypes: null, channels: null, disabled: false,
  throttleRate: null, concurrency: null, retrySchedule: null, requestTimeout: null, destination: null, chat: null, ordered: false, filter: null, metadata: {}, headers: {}, createdAt: T0, updatedAt: T0, ...over,
});
const mkKey = (fill: number): EndpointKey => ({ key: Buffer.alloc(24, fill).toString('base64'), createdAt: T0, expiresAt: null });
const mkSource = (id: string, appId: string): Source => ({
  id, uid: null, name: id, appId, verification: { type: 'none' }, response: { status: 202, body: null, contentType: null },
  inspect: false, dedupeWindowSeconds: 0, signForwarded: false, createdAt: T0, updatedAt: T0,
});

/**
 * The store with a bus that records what is broadcast and hears nothing from elsewhere: what a listener hears is then
 * exactly what this process's writes announced.
 */
function announcingWithRecordedBus(store: Storage) {
  const broadcast: StoreEvent[] = [];
  const heard: StoreEvent[] = [];
  const bus: Bus = {
    subscribe: async () => {},
    broadcast: async (event) => {
      broadcast.push(event);
    },
  };
  const recorded: Storage = {
    dialect: store.dialect, migrationsApplied: store.migrationsApplied, close: () => store.close(), storageFull: () => store.storageFull(),
    settings: store.settings, catalog: store.catalog, circuits: store.circuits, transformations: store.transformations, endpointAuth: store.endpointAuth, pollers: store.pollers, queue: store.queue, history: store.history, tasks: store.tasks,
    access: store.access, inbound: store.inbound, stats: store.stats, keys: store.keys, bus,
  };
  const announcing = announcingCatalogChanges(recorded);
  return {
    announcing,
    async listen() {
      await announcing.bus.subscribe((event) => heard.push(event));
    },
    /** What the last write announced, here and to the other processes; both are cleared. */
    take: () => ({ heard: heard.splice(0), broadcast: broadcast.splice(0) }),
  };
}

const changed = (appId: string): StoreEvent => ({ type: 'endpoints-changed', appId });

describeEachBackend('catalog changes', backends, (withStore) => {
  withStore('every write that changes what the endpoint cache holds is heard here as it returns, and broadcast', async (store) => {
    const { announcing, listen, take } = announcingWithRecordedBus(store);
    await listen();
    await announcing.catalog.createApp(mkApp('app_1'));
    await announcing.inbound.createSource(mkSource('src_1', 'app_src'), mkApp('app_src'));
    take();

    const writes: [string, () => Promise<unknown>, string][] = [
      ['createEndpoint', () => announcing.catalog.createEndpoint(mkEndpoint('ep_1', 'app_1'), mkKey(1)), 'app_1'],
      ['updateEndpoint', () => announcing.catalog.updateEndpoint(mkEndpoint('ep_1', 'app_1', { url: 'https://example.com/moved' })), 'app_1'],
      ['rotateEndpointKey', () => announcing.catalog.rotateEndpointKey('ep_1', mkKey(2), T0 + 1_000), 'app_1'],
      ['disableEndpoint', () => announcing.catalog.disableEndpoint('ep_1', T0), 'app_1'],
      ['patchEndpointTransformation', () => announcing.transformations.patchEndpointTransformation('ep_1', { code: 'function handler(w) { return w; }', enabled: true }, T0), 'app_1'],
      ['deleteEndpoint', () => announcing.catalog.deleteEndpoint('ep_1'), 'app_1'],
      ['updateApp', () => announcing.catalog.updateApp({ ...mkApp('app_1'), name: 'renamed' }), 'app_1'],
      ['deleteApp', () => announcing.catalog.deleteApp('app_1'), 'app_1'],
      ['patchSourceTransformation', () => announcing.transformations.patchSourceTransformation('src_1', { enabled: true }, T0), 'app_src'],
      ['deleteSource', () => announcing.inbound.deleteSource('src_1'), 'app_src'],
    ];
    for (const [name, write, appId] of writes) {
      await write();
      const { heard, broadcast } = take();
      assert.deepEqual(heard, [changed(appId)], `${name} is heard here`);
      assert.deepEqual(broadcast, [changed(appId)], `${name} is broadcast`);
    }
    assert.equal(await store.catalog.getApp('app_src'), undefined, "the source's application went with it");
  });

  withStore('a write that changed nothing, or failed, announces nothing; reads and other writes pass through', async (store) => {
    const { announcing, listen, take } = announcingWithRecordedBus(store);
    await listen();
    await announcing.catalog.createApp(mkApp('app_1'));
    await announcing.catalog.createEndpoint(mkEndpoint('ep_1', 'app_1', { uid: 'taken', disabled: true }), mkKey(1));
    take();

    assert.equal(await announcing.catalog.disableEndpoint('ep_1', T0), false, 'disabled already');
    await assert.rejects(announcing.catalog.createEndpoint(mkEndpoint('ep_2', 'app_1', { uid: 'taken' }), mkKey(1)), /already exists/);
    await announcing.catalog.deleteEndpoint('ep_missing');
    await announcing.inbound.deleteSource('src_missing');
    assert.deepEqual(take(), { heard: [], broadcast: [] });

    assert.equal((await announcing.catalog.getEndpointById('ep_1'))?.uid, 'taken');
    assert.equal(announcing.dialect, store.dialect);
    assert.equal(announcing.storageFull(), null);
  });

  withStore('an endpoint cache listening on the bus sees each change at once, with no maximum age to wait out', async (store) => {
    const announcing = announcingCatalogChanges(store);
    const cache = new EndpointCache(announcing.catalog, announcing.transformations, announcing.endpointAuth);
    await announcing.bus.subscribe((event) => {
      if (event.type === 'endpoints-changed') cache.forgetApp(event.appId);
    });
    await announcing.inbound.createSource(mkSource('src_1', 'app_1'), mkApp('app_1'));
    await announcing.catalog.createEndpoint(mkEndpoint('ep_1', 'app_1'), mkKey(1));
    assert.deepEqual((await cache.endpointsOf('app_1')).map((e) => e.url), ['https://example.com/ep_1']);
    assert.deepEqual(await cache.secrets('ep_1', T0), [mkKey(1).key]);

    await announcing.catalog.updateEndpoint(mkEndpoint('ep_1', 'app_1', { url: 'https://example.com/moved' }));
    assert.deepEqual((await cache.endpointsOf('app_1')).map((e) => e.url), ['https://example.com/moved']);
    await announcing.catalog.rotateEndpointKey('ep_1', mkKey(2), T0 + 1_000);
    assert.deepEqual(await cache.secrets('ep_1', T0), [mkKey(2).key, mkKey(1).key]);
    assert.equal(await cache.transformation('endpoint', 'ep_1', 'app_1'), null);
    await announcing.transformations.patchEndpointTransformation('ep_1', { code: 'function handler(w) { return w; }', enabled: true }, T0);
    assert.equal(await cache.transformation('endpoint', 'ep_1', 'app_1'), 'function handler(w) { return w; }');
    await announcing.transformations.patchEndpointTransformation('ep_1', { enabled: false }, T0);
    assert.equal(await cache.transformation('endpoint', 'ep_1', 'app_1'), null, 'a disabled transformation is not run');
    assert.equal((await cache.app('app_1'))?.id, 'app_1');
    await announcing.inbound.deleteSource('src_1');
    assert.equal(await cache.app('app_1'), undefined);
    assert.deepEqual(await cache.endpointsOf('app_1'), []);
  });
});

test('two processes on PostgreSQL: a source deleted through one is gone from the other at once, not after its cache ages out', { skip: skipPostgres, timeout: 60_000 }, async () => {
  const schema = uniqueSchema('herald_changes');
  const env = {
    HERALD_DATABASE_URL: PG_TEST_URL, HERALD_DATABASE_SCHEMA: schema, HERALD_ENCRYPTION_KEY: PG_TEST_ENCRYPTION_KEY,
    HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_PORT: '0',
  };
  const processes: HeraldProcess[] = [];
  try {
    const migrated = await runCli(['migrate'], env);
    assert.equal(migrated.code, 0, migrated.output);
    const [one, other] = await Promise.all([spawnHerald(['--role', 'api'], env), spawnHerald(['--role', 'api'], env)]);
    processes.push(one!, other!);

    const source = await api(one!.url, 'POST', '/api/v1/source', { name: 'carrier', verification: { type: 'none' } });
    assert.equal(source.status, 201, source.text);
    // The other process reads the source's application once, and so keeps it in its cache.
    assert.equal((await api(other!.url, 'GET', `/api/v1/app/${source.json.appId}`)).status, 200);

    assert.equal((await api(one!.url, 'DELETE', `/api/v1/source/${source.json.id}`)).status, 204);
    // Well within the cache's 30 s maximum age: only the write's own notice can make it forget this soon.
    await until('the other process to forget the deleted source\'s application',
      async () => (await api(other!.url, 'GET', `/api/v1/app/${source.json.appId}`)).status === 404, 5_000);
  } finally {
    for (const p of processes) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    if (!skipPostgres) await dropSchema(schema);
  }
});
