import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Svix } from 'svix';
import { api, runCli, startTestHerald } from '../helpers/herald.ts';
import { heraldBackends } from '../helpers/pg.ts';
import { Receiver } from '../helpers/receiver.ts';
import { loadBackends, type Backend } from '../helpers/stores.ts';
import { mkApp, mkEndpoint, mkKey } from '../helpers/store-fixtures.ts';
import { expectQuietFor, until } from '../helpers/wait.ts';

/**
 * An endpoint's `concurrency` (a Herald field) caps its attempts in flight; without it HERALD_PER_ENDPOINT_CONCURRENCY
 * (10) does. A receiver holds every request it gets, so the number open at once is the number Herald has in flight.
 */

const DEFAULT_CONCURRENCY = 10;

/** Requests a receiver path holds open until released, and the most that were open at once. */
class Holding {
  private readonly open: ServerResponse[] = [];
  max = 0;
  /** While false, requests are answered at once (after a short pause, so that overlapping ones would show). */
  holding = true;

  constructor(receiver: Receiver, path: string) {
    const previous = receiver.responder;
    receiver.responder = (req, res) => {
      if (req.path !== path) return previous(req, res);
      this.open.push(res);
      this.max = Math.max(this.max, this.open.length);
      res.on('close', () => this.open.splice(this.open.indexOf(res), 1));
      if (!this.holding) setTimeout(() => res.writeHead(200).end('ok'), 20);
    };
  }

  get openNow(): number {
    return this.open.length;
  }

  /** Answers the requests held now; `max` counts again from here. */
  release(): void {
    for (const res of this.open.splice(0)) res.writeHead(200).end('ok');
    this.max = 0;
  }
}

/** Store conformance: the column is kept, replaced and cleared on both backends. */
describe('stores keep an endpoint\'s concurrency', async () => {
  for (const backend of await loadBackends()) storeTest(backend);
});

function storeTest(backend: Backend): void {
  test(backend.name, { skip: backend.skip }, async () => {
    if (backend.failure) assert.fail(backend.failure);
    const opened = await backend.open();
    try {
      const { store } = opened;
      await store.catalog.createApp(mkApp('app_c'));
      const ep = mkEndpoint('ep_c', 'app_c', { concurrency: 25 });
      await store.catalog.createEndpoint(ep, mkKey('a2V5'));
      assert.equal((await store.catalog.getEndpointById('ep_c'))?.concurrency, 25);
      assert.equal((await store.catalog.listAllEndpoints('app_c'))[0]?.concurrency, 25);
      await store.catalog.updateEndpoint({ ...ep, concurrency: 1000 });
      assert.equal((await store.catalog.getEndpoint('app_c', 'ep_c'))?.concurrency, 1000);
      await store.catalog.updateEndpoint({ ...ep, concurrency: null });
      assert.equal((await store.catalog.getEndpoint('app_c', 'ep_c'))?.concurrency, null);
      await store.catalog.createEndpoint(mkEndpoint('ep_d', 'app_c'), mkKey('a2V5'));
      assert.equal((await store.catalog.getEndpointById('ep_d'))?.concurrency, null);
    } finally {
      await opened.cleanup();
    }
  });
}

const heralds = await heraldBackends('herald_concurrency');

for (const backend of heralds) {
  describe(`endpoint concurrency (${backend.name})`, { skip: backend.skip }, () => {
    let herald: Awaited<ReturnType<typeof startTestHerald>>;
    let receiver: Receiver;
    let env: Record<string, string>;
    let appId: string;
    let seq = 0;
    before(async () => {
      env = backend.env();
      herald = await startTestHerald(env);
      receiver = await Receiver.start();
      const app = await api(herald.url, 'POST', '/api/v1/app', { name: 'concurrency' });
      assert.equal(app.status, 201, app.text);
      appId = app.json.id;
    });
    after(async () => {
      await receiver.close();
      await herald.cleanup();
      await backend.cleanup(env);
    });

    const endpointPath = (id: string) => `/api/v1/app/${appId}/endpoint/${id}`;
    /** An endpoint of its own path with a receiver that holds its requests. */
    const holdingEndpoint = async (extra: object) => {
      const path = `/held-${++seq}`;
      const held = new Holding(receiver, path);
      const res = await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url(path), eventTypes: [`t${seq}`], ...extra });
      assert.equal(res.status, 201, res.text);
      return { held, path, id: res.json.id as string, eventType: `t${seq}`, concurrency: res.json.concurrency as number | null };
    };
    const publish = async (eventType: string, count: number) => {
      for (let i = 0; i < count; i++) {
        const res = await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType, payload: { i } });
        assert.equal(res.status, 202, res.text);
      }
    };
    /** Waits until `open` requests are held, then briefly that no more arrive. */
    const heldAtOnce = async (held: Holding, open: number, what: string) => {
      await until(`${open} requests held (${what})`, () => held.openNow >= open, 15_000);
      await expectQuietFor(300, `more than ${open} requests in flight (${what})`);
      assert.equal(held.max, open, what);
    };

    for (const [concurrency, expected] of [[1, 1], [25, 25], [null, DEFAULT_CONCURRENCY]] as const) {
      test(`concurrency ${concurrency} gives ${expected} requests in flight at once`, async () => {
        const ep = await holdingEndpoint({ concurrency });
        assert.equal(ep.concurrency, concurrency);
        await publish(ep.eventType, expected + 6);
        await heldAtOnce(ep.held, expected, `concurrency ${concurrency}`);
        ep.held.holding = false;
        ep.held.release();
        await receiver.waitFor(() => receiver.on(ep.path).length === expected + 6, 15_000, 'every delivery');
        assert.ok(ep.held.max <= expected, `${ep.held.max} in flight after the release`);
      });
    }

    test('a change counts from the next attempt, without a restart', async () => {
      const ep = await holdingEndpoint({ concurrency: 2 });
      await publish(ep.eventType, 14);
      await heldAtOnce(ep.held, 2, 'created with 2');
      assert.equal((await api(herald.url, 'PATCH', endpointPath(ep.id), { concurrency: 5 })).json.concurrency, 5);
      ep.held.release();
      await heldAtOnce(ep.held, 5, 'patched to 5');
      // PUT without the field keeps it (Svix clients do not send it); null returns to the default.
      const put = await api(herald.url, 'PUT', endpointPath(ep.id), { url: receiver.url(ep.path), eventTypes: [ep.eventType] });
      assert.equal(put.json.concurrency, 5, put.text);
      assert.equal((await api(herald.url, 'PATCH', endpointPath(ep.id), { concurrency: 1 })).json.concurrency, 1);
      ep.held.holding = false;
      ep.held.release();
      await receiver.waitFor(() => receiver.on(ep.path).length === 14, 15_000, 'every delivery');
      assert.equal(ep.held.max, 1, 'one at a time once lowered to 1');
      assert.equal((await api(herald.url, 'PATCH', endpointPath(ep.id), { concurrency: null })).json.concurrency, null);
    });

    test('bad values get 422 and change nothing', async () => {
      const ep = await holdingEndpoint({ concurrency: 7 });
      const before = await api(herald.url, 'GET', `/api/v1/app/${appId}/endpoint`);
      for (const bad of [0, -1, 1001, 2.5, 'x', '5', true, {}]) {
        const attempts = [
          api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url('/bad'), concurrency: bad }),
          api(herald.url, 'PUT', endpointPath(ep.id), { url: receiver.url('/bad'), concurrency: bad }),
          api(herald.url, 'PUT', endpointPath(`new-${seq}`), { url: receiver.url('/bad'), concurrency: bad }),
          api(herald.url, 'PATCH', endpointPath(ep.id), { url: receiver.url('/bad'), concurrency: bad }),
        ];
        for (const res of await Promise.all(attempts)) {
          assert.equal(res.status, 422, `${JSON.stringify(bad)}: ${res.text}`);
          assert.ok((res.json.detail as { loc: string[] }[]).some((d) => d.loc.join('.') === 'body.concurrency'), res.text);
        }
      }
      const after = await api(herald.url, 'GET', `/api/v1/app/${appId}/endpoint`);
      assert.deepEqual(after.json.data, before.json.data, 'nothing was created or changed');
      assert.equal((await api(herald.url, 'GET', endpointPath(ep.id))).json.concurrency, 7);
    });

    test('the svix client creates, reads and updates endpoints and leaves concurrency alone', async () => {
      const svix = new Svix(herald.token, { serverUrl: herald.url });
      const created = await svix.endpoint.create(appId, { url: receiver.url('/svix'), uid: `svix-${backend.name}` });
      assert.equal((await api(herald.url, 'GET', endpointPath(created.id))).json.concurrency, null);
      assert.equal((await api(herald.url, 'PATCH', endpointPath(created.id), { concurrency: 64 })).json.concurrency, 64);
      assert.equal((await svix.endpoint.get(appId, created.id)).url, receiver.url('/svix'));
      await svix.endpoint.upsert(appId, created.id, { url: receiver.url('/svix2'), description: 'by svix' });
      await svix.endpoint.patch(appId, created.id, { throttleRate: 10 });
      assert.ok((await svix.endpoint.list(appId)).data.some((e) => e.id === created.id));
      const got = (await api(herald.url, 'GET', endpointPath(created.id))).json;
      assert.equal(got.description, 'by svix');
      assert.equal(got.throttleRate, 10);
      assert.equal(got.concurrency, 64, 'clients that do not know the field leave it alone');
    });

    test('herald endpoint create/update --concurrency', { skip: backend.name !== 'sqlite' && 'the CLI only talks to the API' }, async () => {
      const cli = { HERALD_URL: herald.url, HERALD_TOKEN: herald.token };
      const created = await runCli(['endpoint', 'create', receiver.url('/cli'), '--app', appId, '--concurrency', '64', '--json'], cli);
      assert.equal(created.code, 0, created.output);
      const ep = JSON.parse(created.stdout) as { id: string; concurrency: number | null };
      assert.equal(ep.concurrency, 64);
      const shown = await runCli(['endpoint', 'get', ep.id, '--app', appId], cli);
      assert.match(shown.stdout, /concurrency\s+64/i);
      const updated = await runCli(['endpoint', 'update', ep.id, '--app', appId, '--concurrency', 'default', '--json'], cli);
      assert.equal(updated.code, 0, updated.output);
      assert.equal((JSON.parse(updated.stdout) as { concurrency: number | null }).concurrency, null);
      for (const bad of ['0', 'x', '2.5']) {
        const refused = await runCli(['endpoint', 'update', ep.id, '--app', appId, '--concurrency', bad], cli);
        assert.notEqual(refused.code, 0, refused.output);
        assert.match(refused.output, /--concurrency/);
      }
      const tooMany = await runCli(['endpoint', 'update', ep.id, '--app', appId, '--concurrency', '1001'], cli);
      assert.notEqual(tooMany.code, 0, tooMany.output);
      assert.match(tooMany.output, /concurrency/);
      assert.equal((await api(herald.url, 'GET', endpointPath(ep.id))).json.concurrency, null, 'refused updates changed nothing');
    });
  });
}
