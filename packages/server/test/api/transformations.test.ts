import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiException, Svix } from 'svix';
import { api, startTestHerald } from '../helpers/herald.ts';
import { heraldBackends } from '../helpers/pg.ts';

/**
 * An endpoint's transformation through the svix client's own calls (endpoint.transformation.get / patch), on both
 * stores, and the simulate route that runs code against an example payload in the sandbox without storing anything.
 */

const backends = await heraldBackends('herald_transform');

const RESHAPE = `function handler(webhook) {
  webhook.method = 'PUT';
  webhook.url = webhook.url + '?via=transformation';
  webhook.payload = { text: 'invoice ' + webhook.payload.id + ' (' + webhook.eventType + ')' };
  return webhook;
}`;

for (const backend of backends) {
  describe(`endpoint transformations (${backend.name})`, { skip: backend.skip }, () => {
    let herald: Awaited<ReturnType<typeof startTestHerald>>;
    let svix: Svix;
    let env: Record<string, string>;
    before(async () => {
      env = backend.env();
      herald = await startTestHerald({ ...env, HERALD_TRANSFORM_CPU_MS: '50' });
      svix = new Svix(herald.token, { serverUrl: herald.url });
    });
    after(async () => {
      await herald.cleanup();
      await backend.cleanup(env);
    });

    test('the svix client sets, reads, turns off and removes the code; each field is changed only when given', async () => {
      const app = await svix.application.create({ name: 'transform' });
      const ep = await svix.endpoint.create(app.id, { url: 'https://example.com/hook' });
      assert.deepEqual(await svix.endpoint.transformation.get(app.id, ep.id), { code: null, enabled: false, variables: undefined, updatedAt: null });

      const before = Date.now();
      await svix.endpoint.transformation.patch(app.id, ep.id, { code: RESHAPE, enabled: true });
      const set = await svix.endpoint.transformation.get(app.id, ep.id);
      assert.equal(set.code, RESHAPE);
      assert.equal(set.enabled, true);
      assert.ok(set.updatedAt && set.updatedAt.getTime() >= before - 1000, 'updatedAt is set');

      await svix.endpoint.transformation.patch(app.id, ep.id, { enabled: false });
      assert.deepEqual([(await svix.endpoint.transformation.get(app.id, ep.id)).code, (await svix.endpoint.transformation.get(app.id, ep.id)).enabled], [RESHAPE, false], 'the code stays');
      await svix.endpoint.transformation.patch(app.id, ep.id, { code: null });
      assert.equal((await svix.endpoint.transformation.get(app.id, ep.id)).code, null);
    });

    test('bad input gets a clear 4xx and changes nothing', async () => {
      const app = await svix.application.create({ name: 'transform-bad' });
      const ep = await svix.endpoint.create(app.id, { url: 'https://example.com/hook' });
      await svix.endpoint.transformation.patch(app.id, ep.id, { code: RESHAPE });
      const path = `/api/v1/app/${app.id}/endpoint/${ep.id}/transformation`;
      for (const body of [{ code: '' }, { enabled: 'yes' }, { variables: { a: 'b' } }, { code: 42 }]) {
        const res = await api(herald.url, 'PATCH', path, body);
        assert.equal(res.status, 422, JSON.stringify(body));
        assert.ok(Array.isArray(res.json.detail), 'a validation error names the field');
      }
      assert.equal((await svix.endpoint.transformation.get(app.id, ep.id)).code, RESHAPE, 'unchanged');
      await assert.rejects(svix.endpoint.transformation.get(app.id, 'ep_none'), (err: unknown) => err instanceof ApiException && err.code === 404);
      await assert.rejects(svix.endpoint.transformation.patch(app.id, 'ep_none', { enabled: true }), (err: unknown) => err instanceof ApiException && err.code === 404);
    });

    test('simulate shows the webhook the code makes, or its cancel, or why it failed; it stores nothing', async () => {
      const app = await svix.application.create({ name: 'transform-sim' });
      const ep = await svix.endpoint.create(app.id, { url: 'https://example.com/hook' });
      const path = `/api/v1/app/${app.id}/endpoint/${ep.id}/transformation/simulate`;
      const ok = await api(herald.url, 'POST', path, { code: RESHAPE, eventType: 'invoice.paid', payload: { id: 'in_1' } });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json.method, 'PUT');
      assert.equal(ok.json.url, 'https://example.com/hook?via=transformation');
      assert.deepEqual(ok.json.payload, { text: 'invoice in_1 (invoice.paid)' });
      assert.equal(ok.json.cancel, false);
      assert.equal(typeof ok.json.durationMs, 'number');

      const cancel = await api(herald.url, 'POST', path, { code: 'function handler(w) { w.cancel = w.payload.skip === true; return w; }', eventType: 'e', payload: { skip: true } });
      assert.equal(cancel.status, 200, cancel.text);
      assert.equal(cancel.json.cancel, true);

      const threw = await api(herald.url, 'POST', path, { code: 'function handler(w) { throw new Error("no invoice id"); }', eventType: 'e', payload: {} });
      assert.equal(threw.status, 422);
      assert.match(JSON.stringify(threw.json), /no invoice id/, 'the reason is in the error');

      const started = Date.now();
      const looped = await api(herald.url, 'POST', path, { code: 'function handler(w) { while (true) {} }', eventType: 'e', payload: {} });
      assert.equal(looped.status, 422);
      assert.match(JSON.stringify(looped.json), /50 ms/, 'the CPU limit is named');
      assert.ok(Date.now() - started < 5_000, 'stopped by the limit');
      const health = await api(herald.url, 'GET', '/api/v1/health/');
      assert.ok(health.status === 200 || health.status === 204, 'the server is still healthy');

      const bad = await api(herald.url, 'POST', path, { code: RESHAPE, eventType: 'e', payload: 'not an object' });
      assert.equal(bad.status, 422);
      assert.deepEqual(await svix.endpoint.transformation.get(app.id, ep.id), { code: null, enabled: false, variables: undefined, updatedAt: null }, 'simulate stores nothing');
    });
  });
}
