import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiException, Svix } from 'svix';
import { api, startTestHerald } from '../helpers/herald.ts';
import { heraldBackends } from '../helpers/pg.ts';
import { Receiver } from '../helpers/receiver.ts';

/**
 * Endpoint custom headers keep the names users gave them (`X-Env` comes back as `X-Env`), while every match on a
 * name stays case-insensitive: a later `x-env` replaces `X-Env`, and a delivery carries the header once. On both
 * stores, through the svix client.
 */

const backends = await heraldBackends('herald_headers');

for (const backend of backends) {
  describe(`endpoint headers keep their case (${backend.name})`, { skip: backend.skip }, () => {
    let herald: Awaited<ReturnType<typeof startTestHerald>>;
    let receiver: Receiver;
    let svix: Svix;
    let env: Record<string, string>;
    before(async () => {
      env = backend.env();
      herald = await startTestHerald({ ...env, HERALD_RETRY_SCHEDULE: '1' });
      receiver = await Receiver.start();
      svix = new Svix(herald.token, { serverUrl: herald.url });
    });
    after(async () => {
      await receiver.close();
      await herald.cleanup();
      await backend.cleanup(env);
    });

    test('names come back as given; sensitive names too', async () => {
      const app = await svix.application.create({ name: 'case' });
      const ep = await svix.endpoint.create(app.id, { url: receiver.url('/case'), headers: { 'X-Env': 'prod', 'X-Api-Key': 'k' } });
      const got = await svix.endpoint.getHeaders(app.id, ep.id);
      assert.equal(got.headers['X-Env'], 'prod');
      assert.deepEqual(got.headers, { 'X-Env': 'prod' });
      assert.deepEqual(got.sensitive, ['X-Api-Key']);
      await svix.endpoint.setHeaders(app.id, ep.id, { headers: { 'X-Region': 'eu', 'x-TEAM': 'core' } });
      assert.deepEqual((await svix.endpoint.getHeaders(app.id, ep.id)).headers, { 'X-Region': 'eu', 'x-TEAM': 'core' });
    });

    test('PATCH matches names case-insensitively: a new spelling replaces, null and deleteHeaders remove', async () => {
      const app = await svix.application.create({ name: 'merge' });
      const ep = await svix.endpoint.create(app.id, { url: receiver.url('/merge'), headers: { 'X-Env': 'staging', 'X-Gone': '1', 'X-Drop': '2' } });
      await svix.endpoint.patchHeaders(app.id, ep.id, { headers: { 'x-env': 'prod', 'X-GONE': null as unknown as string } });
      assert.deepEqual((await svix.endpoint.getHeaders(app.id, ep.id)).headers, { 'X-Drop': '2', 'x-env': 'prod' });
      const res = await api(herald.url, 'PATCH', `/api/v1/app/${app.id}/endpoint/${ep.id}/headers`, { headers: {}, deleteHeaders: ['x-drop'] });
      assert.equal(res.status, 204, res.text);
      assert.deepEqual((await svix.endpoint.getHeaders(app.id, ep.id)).headers, { 'x-env': 'prod' });
    });

    test('one request naming a header twice in different case is a 422 and changes nothing', async () => {
      const app = await svix.application.create({ name: 'twice' });
      const ep = await svix.endpoint.create(app.id, { url: receiver.url('/twice'), headers: { 'X-Env': 'a' } });
      for (const call of [
        () => svix.endpoint.setHeaders(app.id, ep.id, { headers: { 'X-Env': 'b', 'x-env': 'c' } }),
        () => svix.endpoint.patchHeaders(app.id, ep.id, { headers: { 'X-Env': 'b', 'x-env': 'c' } }),
        () => svix.endpoint.create(app.id, { url: receiver.url('/twice'), headers: { 'X-Env': 'b', 'X-ENV': 'c' } }),
      ]) {
        await assert.rejects(call(), (err: unknown) => err instanceof ApiException && err.code === 422 && /X-Env|x-env|X-ENV/.test(JSON.stringify(err.body)));
      }
      assert.deepEqual((await svix.endpoint.getHeaders(app.id, ep.id)).headers, { 'X-Env': 'a' });
      assert.equal((await svix.endpoint.list(app.id)).data.length, 1);
    });

    test('a delivery carries each custom header once, with the latest value', async () => {
      const app = await svix.application.create({ name: 'deliver' });
      const ep = await svix.endpoint.create(app.id, { url: receiver.url('/deliver'), headers: { 'X-Env': 'staging' } });
      await svix.endpoint.patchHeaders(app.id, ep.id, { headers: { 'x-env': 'prod', 'X-Tenant': 'acme' } });
      await svix.message.create(app.id, { eventType: 'case.test', payload: {} });
      await receiver.waitFor((r) => r.some((x) => x.path === '/deliver'));
      const [delivered] = receiver.on('/deliver');
      assert.equal(delivered!.headers['x-env'], 'prod', 'one value, not "staging, prod"');
      assert.equal(delivered!.headers['x-tenant'], 'acme');
    });

    test("a forwarded inbound request's header of the same name is replaced by the destination's, not sent twice", async () => {
      const source = await api(herald.url, 'POST', '/api/v1/source', { name: 'case', verification: { type: 'none' } });
      assert.equal(source.status, 201, source.text);
      await svix.endpoint.create(source.json.appId, { url: receiver.url('/forwarded'), headers: { 'X-Env': 'prod' } });
      const res = await fetch(`${herald.url}/in/${source.json.id}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-env': 'provider' }, body: '{}' });
      assert.equal(res.status, 200, await res.text());
      await receiver.waitFor((r) => r.some((x) => x.path === '/forwarded'));
      assert.equal(receiver.on('/forwarded')[0]!.headers['x-env'], 'prod', 'one value, not "provider, prod"');
    });
  });
}
