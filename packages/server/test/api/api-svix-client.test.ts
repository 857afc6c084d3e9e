import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { ApiException, Ordering, Svix, Webhook, type ApplicationOut } from 'svix';
import { deliveriesSettled } from '../helpers/herald.ts';
import { nextMillisecond, until } from '../helpers/wait.ts';
import { useTestServer } from '../helpers/test-server.ts';

/**
 * Drives Herald's API with the official svix client (2.5.0), as a Svix user would by only setting serverUrl.
 * Raw HTTP (`api`) is used where the client hides what matters: status codes, legacy fields, exact wire shapes.
 */

let svix: Svix;

const server = useTestServer({ receiver: true }, async () => {
  svix = new Svix(server.herald.token, { serverUrl: server.herald.url });
});

const KSUID = '[0-9A-Za-z]{27}';
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** A suffix that keeps uids and names of one test apart from every other test's (they share one Herald). */
const rnd = () => randomBytes(5).toString('hex');
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** Asserts the promise rejects with the svix client's ApiException of this status; returns its body. */
async function apiError(promise: Promise<unknown>, code: number): Promise<any> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ApiException, `expected ApiException, got ${String(err)}`);
    assert.equal(err.code, code, `expected HTTP ${code}, got ${err.code}: ${JSON.stringify(err.body)}`);
    const body = err.body as any;
    if (code === 422) {
      assert.ok(Array.isArray(body.detail) && body.detail.length > 0, 'a 422 carries detail[]');
      for (const item of body.detail) {
        assert.ok(Array.isArray(item.loc) && typeof item.msg === 'string' && typeof item.type === 'string');
      }
    } else {
      assert.equal(typeof body.code, 'string');
      assert.equal(typeof body.detail, 'string');
    }
    return body;
  }
  assert.fail(`expected HTTP ${code}, but the call succeeded`);
}

const waitUntil = until;

async function newApp(name = 'test app'): Promise<ApplicationOut> {
  return svix.application.create({ name, uid: `app-${rnd()}` });
}

describe('applications', () => {
  test('create returns the ApplicationOut shape with 201', async () => {
    const uid = `shape-${rnd()}`;
    const raw = await server.call('POST', '/api/v1/app', { name: 'Shape', uid, metadata: { team: 'billing' } });
    assert.equal(raw.status, 201);
    assert.match(raw.json.id, new RegExp(`^app_${KSUID}$`));
    assert.match(raw.json.createdAt, ISO_UTC);
    assert.match(raw.json.updatedAt, ISO_UTC);

    const app = await svix.application.create({ name: 'My app', uid: `my-${rnd()}`, metadata: { plan: 'pro' } });
    assert.match(app.id, new RegExp(`^app_${KSUID}$`));
    assert.equal(app.name, 'My app');
    assert.deepEqual(app.metadata, { plan: 'pro' });
    assert.ok(app.createdAt instanceof Date && !Number.isNaN(app.createdAt.getTime()));
    assert.ok(Math.abs(app.createdAt.getTime() - Date.now()) < 60_000);
    assert.equal(app.updatedAt.getTime(), app.createdAt.getTime());

    const bare = await svix.application.create({ name: 'No metadata' });
    assert.deepEqual(bare.metadata, {});
    assert.equal(bare.uid ?? null, null);
  });

  test('getOrCreate returns the existing app (200) or creates it (201)', async () => {
    const uid = `goc-${rnd()}`;
    const created = await svix.application.getOrCreate({ name: 'First', uid });
    const again = await svix.application.getOrCreate({ name: 'Second', uid });
    assert.equal(again.id, created.id);
    assert.equal(again.name, 'First');

    const raw = await server.call('POST', '/api/v1/app?get_if_exists=true', { name: 'x', uid });
    assert.equal(raw.status, 200);
    assert.equal(raw.json.id, created.id);
    const rawNew = await server.call('POST', '/api/v1/app?get_if_exists=true', { name: 'x', uid: `goc-${rnd()}` });
    assert.equal(rawNew.status, 201);
    assert.notEqual(rawNew.json.id, created.id);
  });

  test('get by id and by uid', async () => {
    const uid = `get-${rnd()}`;
    const app = await svix.application.create({ name: 'Get me', uid });
    assert.equal((await svix.application.get(app.id)).uid, uid);
    const byUid = await svix.application.get(uid);
    assert.equal(byUid.id, app.id);
    assert.equal(byUid.name, 'Get me');
  });

  test('list pages with limit/iterator/done and walks back with prevIterator', async () => {
    const mine = new Set<string>();
    for (let i = 0; i < 5; i++) mine.add((await svix.application.create({ name: `page ${i}`, uid: `page-${rnd()}` })).id);

    const pages: { ids: string[]; iterator: string | null; prevIterator?: string | null; done: boolean }[] = [];
    let iterator: string | null = null;
    for (let guard = 0; guard < 200; guard++) {
      const page = await svix.application.list({ limit: 2, iterator });
      assert.ok(page.data.length <= 2, 'a page holds at most limit items');
      pages.push({ ids: page.data.map((a) => a.id), iterator: page.iterator, prevIterator: page.prevIterator, done: page.done });
      if (page.done) break;
      assert.equal(page.data.length, 2, 'only the last page may be short');
      iterator = page.iterator;
    }
    assert.equal(pages.at(-1)!.done, true);
    const seen = pages.flatMap((p) => p.ids);
    assert.equal(new Set(seen).size, seen.length, 'no app is listed twice');
    for (const id of mine) assert.equal(seen.filter((s) => s === id).length, 1, `${id} is seen exactly once`);
    assert.deepEqual(seen, [...seen].sort(), 'ascending by id (creation order)');

    // Going back from the second page gives the first page again, and that walk back is done.
    assert.ok(pages.length >= 3);
    const back = await svix.application.list({ limit: 2, iterator: pages[1]!.prevIterator! });
    assert.deepEqual(back.data.map((a) => a.id), pages[0]!.ids);
    assert.equal(back.done, true, 'nothing before the first page');
    const midway = await svix.application.list({ limit: 2, iterator: pages[2]!.prevIterator! });
    assert.deepEqual(midway.data.map((a) => a.id), pages[1]!.ids);
    assert.equal(midway.done, false, 'the first page is still before it');
    // And forward from there gives the second page again.
    const forward = await svix.application.list({ limit: 2, iterator: back.iterator });
    assert.deepEqual(forward.data.map((a) => a.id), pages[1]!.ids);

    // Back from the very first page: nothing, and going forward from there must not skip the first app.
    const beforeFirst = await svix.application.list({ limit: 2, iterator: pages[0]!.prevIterator! });
    assert.deepEqual(beforeFirst.data, []);
    assert.equal(beforeFirst.done, true);
    const again = await svix.application.list({ limit: 2, iterator: beforeFirst.iterator });
    assert.deepEqual(again.data.map((a) => a.id), pages[0]!.ids);

    const newestFirst = await svix.application.list({ limit: 250, order: Ordering.Descending });
    const ids = newestFirst.data.map((a) => a.id);
    assert.deepEqual(ids, [...ids].sort().reverse());
  });

  test('upsert (PUT) updates an existing app and creates a missing uid', async () => {
    const uid = `put-${rnd()}`;
    const app = await svix.application.create({ name: 'Before', uid, metadata: { a: '1' } });
    const updated = await svix.application.upsert(uid, { name: 'After', uid, metadata: { b: '2' } });
    assert.equal(updated.id, app.id);
    assert.equal(updated.name, 'After');
    assert.deepEqual(updated.metadata, { b: '2' });
    assert.ok(updated.updatedAt.getTime() >= app.updatedAt.getTime());

    const fresh = `put-new-${rnd()}`;
    const created = await svix.application.upsert(fresh, { name: 'Made by PUT' });
    assert.match(created.id, /^app_/);
    assert.equal(created.uid, fresh);
    assert.equal((await svix.application.get(fresh)).id, created.id);

    // The same PUT by uid, repeated without a uid in the body, finds and keeps the app it created.
    const repeated = `put-again-${rnd()}`;
    const one = await svix.application.upsert(repeated, { name: 'Repeat' });
    const two = await svix.application.upsert(repeated, { name: 'Repeat' });
    const three = await svix.application.upsert(repeated, { name: 'Repeat' });
    assert.equal(two.id, one.id);
    assert.equal(three.id, one.id);
    assert.equal(three.uid, repeated);
    // By id, PUT replaces everything: no uid in the body means none.
    const byId = await svix.application.upsert(one.id, { name: 'No uid' });
    assert.equal(byId.uid ?? null, null);

    const raw = await server.call('PUT', `/api/v1/app/put-raw-${rnd()}`, { name: 'raw' });
    assert.equal(raw.status, 201);
    const rawAgain = await server.call('PUT', `/api/v1/app/${raw.json.uid}`, { name: 'raw 2', uid: raw.json.uid });
    assert.equal(rawAgain.status, 200);
    assert.equal(rawAgain.json.id, raw.json.id);
  });

  test('patch changes only what it names; uid null clears the uid', async () => {
    const uid = `patch-${rnd()}`;
    const app = await svix.application.create({ name: 'Patch me', uid, metadata: { keep: 'yes' } });
    const renamed = await svix.application.patch(uid, { name: 'Patched' });
    assert.equal(renamed.name, 'Patched');
    assert.equal(renamed.uid, uid);
    assert.deepEqual(renamed.metadata, { keep: 'yes' });

    const cleared = await svix.application.patch(app.id, { uid: null });
    assert.equal(cleared.uid ?? null, null);
    await apiError(svix.application.get(uid), 404);
    assert.equal((await svix.application.get(app.id)).name, 'Patched');
  });

  test('delete, then get is a 404 with {code, detail}', async () => {
    const app = await newApp();
    await svix.application.delete(app.id);
    const body = await apiError(svix.application.get(app.id), 404);
    assert.equal(body.code, 'not_found');
    await apiError(svix.application.delete(app.id), 404);
  });

  test('a duplicate uid is a 409; a uid with the app_ prefix is a 422', async () => {
    const uid = `dup-${rnd()}`;
    await svix.application.create({ name: 'one', uid });
    await apiError(svix.application.create({ name: 'two', uid }), 409);
    const other = await newApp();
    await apiError(svix.application.patch(other.id, { uid }), 409);
    await apiError(svix.application.upsert(other.id, { name: 'x', uid }), 409);

    const body = await apiError(svix.application.create({ name: 'bad', uid: 'app_lookslikeanid' }), 422);
    assert.deepEqual(body.detail[0].loc, ['body', 'uid']);
    await apiError(svix.application.get('app_lookslikeanid'), 404);
    await apiError(svix.application.create({ name: 'bad', throttleRate: 0 }), 422);
  });

  test('the same idempotency key creates one application, also when the repeat overlaps the first', async () => {
    const key = `idem-${rnd()}`;
    const first = await svix.application.create({ name: 'idem' }, { idempotencyKey: key });
    const second = await svix.application.create({ name: 'idem' }, { idempotencyKey: key });
    assert.equal(second.id, first.id);

    // A client retry after a timeout can arrive while the first request is still running: it gets the same answer.
    const uid = `idem-overlap-${rnd()}`;
    const overlapKey = `idem-${rnd()}`;
    const both = await Promise.all([1, 2, 3].map(() => svix.application.create({ name: 'overlap', uid }, { idempotencyKey: overlapKey })));
    assert.equal(new Set(both.map((a) => a.id)).size, 1);
  });
});

describe('event types', () => {
  const schema = {
    type: 'object',
    title: 'Invoice paid',
    properties: { invoiceId: { type: 'string' }, amount: { type: 'integer', minimum: 0 } },
    required: ['invoiceId'],
  };

  test('create stores the schemas; list honours with_content and include_archived', async () => {
    const name = `invoice.paid.${rnd()}`;
    const created = await svix.eventType.create({ name, description: 'An invoice was paid', schemas: { '1': schema } });
    assert.equal(created.name, name);
    assert.equal(created.description, 'An invoice was paid');
    assert.equal(created.archived, false);
    assert.equal(created.deprecated, false);
    assert.deepEqual(created.schemas, { '1': schema });
    assert.ok(created.createdAt instanceof Date && !Number.isNaN(created.createdAt.getTime()));

    const raw = await server.call('GET', `/api/v1/event-type/${name}`);
    assert.equal(raw.status, 200);
    assert.match(raw.json.createdAt, ISO_UTC);

    const got = await svix.eventType.get(name);
    assert.deepEqual(got.schemas, { '1': schema });

    const all = async (opts: { withContent?: boolean; includeArchived?: boolean }) => {
      const out = [];
      let iterator: string | null = null;
      for (;;) {
        const page = await svix.eventType.list({ ...opts, limit: 100, iterator });
        out.push(...page.data);
        if (page.done) return out;
        iterator = page.iterator;
      }
    };
    const lean = (await all({})).find((e) => e.name === name);
    assert.ok(lean, 'listed');
    assert.equal(lean.schemas ?? null, null, 'no schemas without with_content');
    const full = (await all({ withContent: true })).find((e) => e.name === name);
    assert.deepEqual(full?.schemas, { '1': schema });

    await svix.eventType.delete(name);
    const archived = await svix.eventType.get(name);
    assert.equal(archived.archived, true);
    assert.equal((await all({})).some((e) => e.name === name), false, 'archived types are not listed by default');
    assert.equal((await all({ includeArchived: true })).find((e) => e.name === name)?.archived, true);
  });

  test('upsert creates and replaces; patch changes only what it names', async () => {
    const name = `user.signup.${rnd()}`;
    const created = await svix.eventType.upsert(name, { description: 'v1', schemas: { '1': schema } });
    assert.equal(created.name, name);
    assert.equal((await server.call('PUT', `/api/v1/event-type/${name}`, { description: 'v2', schemas: { '1': schema } })).status, 200);
    const replaced = await svix.eventType.upsert(name, { description: 'v3' });
    assert.equal(replaced.description, 'v3');
    assert.equal(replaced.schemas ?? null, null, 'PUT replaces: no schemas given, none kept');
    assert.equal(replaced.createdAt.getTime(), created.createdAt.getTime());

    await svix.eventType.patch(name, { schemas: { '1': schema } });
    const patched = await svix.eventType.patch(name, { deprecated: true, groupName: 'users' });
    assert.equal(patched.deprecated, true);
    assert.equal(patched.groupName, 'users');
    assert.equal(patched.description, 'v3');
    assert.deepEqual(patched.schemas, { '1': schema });

    const raw = await server.call('PUT', `/api/v1/event-type/fresh.${rnd()}`, { description: 'new' });
    assert.equal(raw.status, 201);
  });

  test('an archived event type is restored by create, as the Svix docs promise', async () => {
    const name = `restore.${rnd()}`;
    const first = await svix.eventType.create({ name, description: 'old' });
    await svix.eventType.delete(name);
    const again = await svix.eventType.create({ name, description: 'new', schemas: { '1': schema } });
    assert.equal(again.archived, false);
    assert.equal(again.description, 'new');
    assert.equal((await svix.eventType.get(name)).archived, false);
    assert.equal(again.createdAt.getTime(), first.createdAt.getTime());
    // A live one still conflicts.
    await apiError(svix.eventType.create({ name, description: 'dup' }), 409);
  });

  test('delete with expunge removes the event type', async () => {
    const name = `gone.${rnd()}`;
    await svix.eventType.create({ name, description: 'bye' });
    await svix.eventType.delete(name, { expunge: true });
    await apiError(svix.eventType.get(name), 404);
    await apiError(svix.eventType.delete(name), 404);
  });

  test('an invalid JSON Schema is a 422 and stores nothing', async () => {
    const name = `bad.schema.${rnd()}`;
    const body = await apiError(svix.eventType.create({ name, description: 'x', schemas: { '1': { type: 'not-a-type' } } }), 422);
    assert.deepEqual(body.detail[0].loc.slice(0, 2), ['body', 'schemas']);
    await apiError(svix.eventType.get(name), 404);
    await apiError(svix.eventType.create({ name, description: 'x', schemas: { '1': 'not an object' } }), 422);

    const good = `good.schema.${rnd()}`;
    await svix.eventType.create({ name: good, description: 'x', schemas: { '1': schema } });
    await apiError(svix.eventType.patch(good, { schemas: { '1': { properties: 5 } } }), 422);
    assert.deepEqual((await svix.eventType.get(good)).schemas, { '1': schema });
  });

  test('schemas with a draft-07 $schema or a reused $id are accepted', async () => {
    const draft7 = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { id: { type: 'string' } } };
    const a = await svix.eventType.create({ name: `draft7.${rnd()}`, description: 'x', schemas: { '1': draft7 } });
    assert.deepEqual(a.schemas, { '1': draft7 });
    await apiError(
      svix.eventType.create({ name: `draft7.bad.${rnd()}`, description: 'x', schemas: { '1': { ...draft7, type: 'nope' } } }),
      422,
    );

    // Every write re-checks the schema; a $id seen before must not make the next write fail.
    const withId = { $id: `https://example.com/schemas/${rnd()}.json`, type: 'object' };
    const name = `with.id.${rnd()}`;
    await svix.eventType.create({ name, description: 'x', schemas: { '1': withId } });
    await svix.eventType.upsert(name, { description: 'y', schemas: { '1': { ...withId, title: 'changed' } } });
    await svix.eventType.patch(name, { schemas: { '1': withId, '2': { ...withId, type: 'array' } } });
    assert.equal((await svix.eventType.get(name)).schemas['2'].type, 'array');
  });
});

describe('endpoints', () => {
  test('create with every field; get by id and uid; the given secret is returned exactly', async () => {
    const app = await newApp();
    const secret = newSecret();
    const uid = `ep-${rnd()}`;
    const ep = await svix.endpoint.create(app.id, {
      url: server.receiver.url('/ep-create'),
      description: 'Primary',
      uid,
      eventTypes: ['invoice.paid', 'user.signup'],
      channels: ['project_1'],
      metadata: { owner: 'ops' },
      headers: { 'X-Custom': 'hello' },
      secret,
      throttleRate: 10,
    });
    assert.match(ep.id, new RegExp(`^ep_${KSUID}$`));
    assert.equal(ep.url, server.receiver.url('/ep-create'));
    assert.equal(ep.description, 'Primary');
    assert.equal(ep.uid, uid);
    assert.deepEqual(ep.eventTypes, ['invoice.paid', 'user.signup']);
    assert.deepEqual(ep.channels, ['project_1']);
    assert.deepEqual(ep.metadata, { owner: 'ops' });
    assert.equal(ep.throttleRate, 10);
    assert.equal(ep.disabled, false);
    assert.ok(ep.createdAt instanceof Date && !Number.isNaN(ep.createdAt.getTime()));

    assert.equal((await svix.endpoint.getSecret(app.id, ep.id)).key, secret);
    assert.equal((await svix.endpoint.get(app.id, ep.id)).uid, uid);
    assert.equal((await svix.endpoint.get(app.uid!, uid)).id, ep.id);
    assert.deepEqual((await svix.endpoint.getHeaders(app.id, ep.id)).headers, { 'X-Custom': 'hello' });

    const raw = await server.call('GET', `/api/v1/app/${app.id}/endpoint/${ep.id}`);
    assert.match(raw.json.createdAt, ISO_UTC);
    assert.deepEqual(raw.json.filterTypes, ['invoice.paid', 'user.signup'], 'legacy filterTypes is emitted too');

    await apiError(svix.endpoint.create(app.id, { url: server.receiver.url('/dup'), uid }), 409);
    await apiError(svix.endpoint.create(app.id, { url: server.receiver.url('/bad'), uid: 'ep_looksLikeAnId' }), 422);
  });

  test('legacy filterTypes is accepted on input and emitted on output', async () => {
    const app = await newApp();
    const raw = await server.call('POST', `/api/v1/app/${app.id}/endpoint`, { url: server.receiver.url('/legacy'), filterTypes: ['a.b'] });
    assert.equal(raw.status, 201);
    assert.deepEqual(raw.json.eventTypes, ['a.b']);
    assert.deepEqual(raw.json.filterTypes, ['a.b']);
    assert.deepEqual((await svix.endpoint.get(app.id, raw.json.id)).eventTypes, ['a.b']);

    const patched = await server.call('PATCH', `/api/v1/app/${app.id}/endpoint/${raw.json.id}`, { filterTypes: ['c.d'] });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.json.eventTypes, ['c.d']);
  });

  test('list, upsert, patch (null clears filters) and delete', async () => {
    const app = await newApp();
    const a = await svix.endpoint.create(app.id, { url: server.receiver.url('/a'), eventTypes: ['x.y'], channels: ['c1'], uid: `a-${rnd()}` });
    const b = await svix.endpoint.create(app.id, { url: server.receiver.url('/b') });

    const list = await svix.endpoint.list(app.id);
    assert.deepEqual(list.data.map((e) => e.id), [b.id, a.id], 'newest first, as Svix lists endpoints');
    assert.equal(list.done, true);
    assert.deepEqual((await svix.endpoint.list(app.id, { order: Ordering.Ascending })).data.map((e) => e.id), [a.id, b.id]);
    const first = await svix.endpoint.list(app.id, { limit: 1 });
    assert.equal(first.data.length, 1);
    assert.equal(first.done, false);
    const second = await svix.endpoint.list(app.id, { limit: 1, iterator: first.iterator });
    assert.equal(second.data.length, 1);
    assert.notEqual(second.data[0]!.id, first.data[0]!.id);

    const replaced = await svix.endpoint.upsert(app.id, a.id, { url: server.receiver.url('/a2'), description: 'replaced', uid: a.uid });
    assert.equal(replaced.id, a.id);
    assert.equal(replaced.url, server.receiver.url('/a2'));
    assert.equal(replaced.description, 'replaced');
    assert.equal(replaced.eventTypes ?? null, null, 'PUT replaces the filter');

    await svix.endpoint.patch(app.id, a.id, { eventTypes: ['x.y'], channels: ['c1', 'c2'] });
    const described = await svix.endpoint.patch(app.id, a.id, { description: 'patched' });
    assert.deepEqual(described.eventTypes, ['x.y']);
    assert.deepEqual(described.channels, ['c1', 'c2']);
    assert.equal(described.url, server.receiver.url('/a2'));
    const cleared = await svix.endpoint.patch(app.id, a.id, { eventTypes: null, channels: null });
    assert.equal(cleared.eventTypes ?? null, null);
    assert.equal(cleared.channels ?? null, null);
    assert.equal(cleared.description, 'patched');

    const newUid = `upserted-${rnd()}`;
    const created = await svix.endpoint.upsert(app.id, newUid, { url: server.receiver.url('/c') });
    assert.equal(created.uid, newUid);
    assert.match((await svix.endpoint.getSecret(app.id, newUid)).key, /^whsec_/);
    const repeated = await svix.endpoint.upsert(app.id, newUid, { url: server.receiver.url('/c') });
    assert.equal(repeated.id, created.id, 'a repeated PUT by uid updates the same endpoint');
    assert.equal(repeated.uid, newUid);

    const noUid = await svix.endpoint.patch(app.id, newUid, { uid: null, throttleRate: 5 });
    assert.equal(noUid.uid ?? null, null);
    assert.equal(noUid.throttleRate, 5);
    await apiError(svix.endpoint.get(app.id, newUid), 404);
    await apiError(svix.endpoint.patch(app.id, noUid.id, { throttleRate: 0 }), 422);

    await svix.endpoint.delete(app.id, b.id);
    await apiError(svix.endpoint.get(app.id, b.id), 404);
    assert.equal((await svix.endpoint.list(app.id)).data.length, 2);
  });

  test('getSecret and rotateSecret', async () => {
    const app = await newApp();
    const ep = await svix.endpoint.create(app.id, { url: server.receiver.url('/rot') });
    const before = (await svix.endpoint.getSecret(app.id, ep.id)).key;
    assert.match(before, /^whsec_[A-Za-z0-9+/=]{32,}$/);
    await svix.endpoint.rotateSecret(app.id, ep.id);
    const after = (await svix.endpoint.getSecret(app.id, ep.id)).key;
    assert.match(after, /^whsec_/);
    assert.notEqual(after, before);

    const chosen = newSecret();
    await svix.endpoint.rotateSecret(app.id, ep.id, { key: chosen });
    assert.equal((await svix.endpoint.getSecret(app.id, ep.id)).key, chosen);
    await apiError(svix.endpoint.rotateSecret(app.id, ep.id, { key: 'whsec_short' }), 422);
    assert.equal((await svix.endpoint.getSecret(app.id, ep.id)).key, chosen);
  });

  test('a POST repeated with the same idempotency key runs once, also when it answers 204', async () => {
    const app = await newApp();
    const ep = await svix.endpoint.create(app.id, { url: server.receiver.url('/idem-rot') });
    const key = `rotate-${rnd()}`;
    await svix.endpoint.rotateSecret(app.id, ep.id, {}, { idempotencyKey: key });
    const rotated = (await svix.endpoint.getSecret(app.id, ep.id)).key;
    await svix.endpoint.rotateSecret(app.id, ep.id, {}, { idempotencyKey: key });
    assert.equal((await svix.endpoint.getSecret(app.id, ep.id)).key, rotated, 'the repeat did not rotate again');
  });

  test('headers: get, set and patch; sensitive values are not returned', async () => {
    const app = await newApp();
    const ep = await svix.endpoint.create(app.id, {
      url: server.receiver.url('/hdr'),
      headers: { 'X-Visible': 'shown', Authorization: 'Bearer super-secret-value' },
    });
    const got = await svix.endpoint.getHeaders(app.id, ep.id);
    assert.deepEqual(got.headers, { 'X-Visible': 'shown' });
    assert.deepEqual(got.sensitive.map((h) => h.toLowerCase()), ['authorization']);
    const raw = await server.call('GET', `/api/v1/app/${app.id}/endpoint/${ep.id}/headers`);
    assert.ok(!raw.text.includes('super-secret-value'), 'a sensitive value never leaves the server');

    await svix.endpoint.setHeaders(app.id, ep.id, { headers: { 'X-A': '1', 'X-B': '2' } });
    assert.deepEqual(await svix.endpoint.getHeaders(app.id, ep.id), { headers: { 'X-A': '1', 'X-B': '2' }, sensitive: [] });

    await svix.endpoint.patchHeaders(app.id, ep.id, { headers: { 'X-B': null as unknown as string, 'X-C': '3' } });
    assert.deepEqual((await svix.endpoint.getHeaders(app.id, ep.id)).headers, { 'X-A': '1', 'X-C': '3' });

    await apiError(svix.endpoint.setHeaders(app.id, ep.id, { headers: { 'webhook-id': 'x' } }), 422);
    await apiError(svix.endpoint.patchHeaders(app.id, ep.id, { headers: { 'Bad Header': 'x' } }), 422);
    assert.deepEqual((await svix.endpoint.getHeaders(app.id, ep.id)).headers, { 'X-A': '1', 'X-C': '3' }, 'rejected writes changed nothing');
  });

  test('getStats has the Svix shape', async () => {
    const app = await newApp();
    const ep = await svix.endpoint.create(app.id, { url: server.receiver.url('/stats') });
    const stats = await svix.endpoint.getStats(app.id, ep.id);
    assert.deepEqual(stats, { success: 0, pending: 0, sending: 0, fail: 0, canceled: 0 });
    const since = await svix.endpoint.getStats(app.id, ep.id, { since: new Date(Date.now() - 3600_000), until: new Date() });
    assert.deepEqual(Object.keys(since).sort(), ['canceled', 'fail', 'pending', 'sending', 'success']);
  });

  test('bad URLs and reserved headers are 422 and create nothing', async () => {
    const app = await newApp();
    await apiError(svix.endpoint.create(app.id, { url: 'ftp://x' }), 422);
    await apiError(svix.endpoint.create(app.id, { url: 'not a url' }), 422);
    await apiError(svix.endpoint.create(app.id, { url: server.receiver.url('/r'), headers: { 'webhook-id': 'spoofed' } }), 422);
    await apiError(svix.endpoint.create(app.id, { url: server.receiver.url('/r'), headers: { 'Content-Length': '1' } }), 422);
    await apiError(svix.endpoint.create(app.id, { url: server.receiver.url('/r'), secret: 'not-a-secret' }), 422);
    assert.equal((await svix.endpoint.list(app.id)).data.length, 0);

    const ep = await svix.endpoint.create(app.id, { url: server.receiver.url('/ok') });
    await apiError(svix.endpoint.patch(app.id, ep.id, { url: 'ftp://x' }), 422);
    await apiError(svix.endpoint.upsert(app.id, ep.id, { url: 'not a url' }), 422);
    assert.equal((await svix.endpoint.get(app.id, ep.id)).url, server.receiver.url('/ok'));
  });

  test('sendExample sends the event type\'s example to that endpoint only, as a logged message', async () => {
    const app = await newApp();
    const type = `order.example-${rnd()}`;
    const example = { order: 'ord_1', total: 4200 };
    await svix.eventType.create({ name: type, description: 'An order', schemas: { '1': { type: 'object', examples: [example, { order: 'ord_2' }] } } });
    const target = await svix.endpoint.create(app.id, { url: server.receiver.url(`/example-${type}`), eventTypes: ['something.else'] });
    await svix.endpoint.create(app.id, { url: server.receiver.url(`/bystander-${type}`) });

    const sent = await svix.endpoint.sendExample(app.id, target.id, { eventType: type });
    assert.match(sent.id, new RegExp(`^msg_${KSUID}$`));
    assert.equal(sent.eventType, type);
    assert.deepEqual(sent.payload, example);
    await server.receiver.waitFor((all) => all.some((r) => r.path === `/example-${type}`));
    assert.deepEqual(JSON.parse(server.receiver.on(`/example-${type}`)[0]!.body.toString()), example, 'sent although the endpoint filters other types');
    assert.equal((await svix.message.get(app.id, sent.id)).eventType, type, 'a message of the application like any other');
    await deliveriesSettled(server.herald, app.id);
    assert.equal(server.receiver.on(`/bystander-${type}`).length, 0, 'no other endpoint gets it');

    const second = await server.call('POST', `/api/v1/app/${app.id}/endpoint/${target.id}/send-example`, { eventType: type, exampleIndex: 1 });
    assert.equal(second.status, 200, second.text);
    assert.deepEqual(second.json.payload, { order: 'ord_2' });

    const before = (await svix.message.list(app.id)).data.length;
    await apiError(svix.endpoint.sendExample(app.id, target.id, { eventType: `missing-${rnd()}` }), 422);
    const bare = `bare-${rnd()}`;
    await svix.eventType.create({ name: bare, description: 'No schema' });
    const noExample = await apiError(svix.endpoint.sendExample(app.id, target.id, { eventType: bare }), 422);
    assert.match(noExample.detail[0].msg, /no example/);
    assert.equal((await server.call('POST', `/api/v1/app/${app.id}/endpoint/${target.id}/send-example`, { eventType: type, exampleIndex: 2 })).status, 422);
    await svix.endpoint.patch(app.id, target.id, { disabled: true });
    await apiError(svix.endpoint.sendExample(app.id, target.id, { eventType: type }), 409);
    await apiError(svix.endpoint.sendExample(app.id, 'ep_missing', { eventType: type }), 404);
    assert.equal((await svix.message.list(app.id)).data.length, before, 'a refused example stores nothing');
  });

  test('an unknown app or endpoint is a 404', async () => {
    const app = await newApp();
    await apiError(svix.endpoint.list(`missing-${rnd()}`), 404);
    await apiError(svix.endpoint.get(app.id, 'ep_missing'), 404);
    await apiError(svix.endpoint.getSecret(app.id, 'ep_missing'), 404);
  });
});

describe('messages', () => {
  test('create is a 202 MessageOut; payload only with withContent', async () => {
    const app = await newApp();
    const raw = await server.call('POST', `/api/v1/app/${app.id}/msg`, { eventType: 'user.signup', payload: { n: 1 } });
    assert.equal(raw.status, 202);
    assert.match(raw.json.timestamp, ISO_UTC);
    assert.deepEqual(raw.json.payload, { n: 1 }, 'with_content defaults to true on the wire');

    const eventId = `evt-${rnd()}`;
    const lean = await svix.message.create(app.id, { eventType: 'user.signup', payload: { email: 'a@example.com' }, eventId, channels: ['c1'] });
    assert.match(lean.id, new RegExp(`^msg_${KSUID}$`));
    assert.deepEqual(lean.payload, {});
    assert.equal(lean.eventType, 'user.signup');
    assert.equal(lean.eventId, eventId);
    assert.deepEqual(lean.channels, ['c1']);
    assert.ok(lean.timestamp instanceof Date && !Number.isNaN(lean.timestamp.getTime()));

    const full = await svix.message.create(app.id, { eventType: 'user.signup', payload: { email: 'b@example.com', nested: { k: [1, 2] } } }, { withContent: true });
    assert.deepEqual(full.payload, { email: 'b@example.com', nested: { k: [1, 2] } });

    const got = await svix.message.get(app.id, lean.id, { withContent: true });
    assert.deepEqual(got.payload, { email: 'a@example.com' });
    assert.deepEqual((await svix.message.get(app.id, lean.id)).payload, {});
    const byEventId = await svix.message.get(app.id, eventId);
    assert.equal(byEventId.id, lean.id);
    await apiError(svix.message.get(app.id, 'msg_missing'), 404);
  });

  test('list is newest first and filters by event type, channel, before and after', async () => {
    const app = await newApp();
    const ids: string[] = [];
    const send = async (eventType: string, channels?: string[]) => {
      const m = await svix.message.create(app.id, { eventType, payload: { i: ids.length }, channels });
      ids.push(m.id);
      return m;
    };
    await send('a.created', ['red']);
    const second = await send('b.created');
    // before/after compare creation times: each message after the next tick of the clock.
    await nextMillisecond(second.timestamp);
    const middle = await send('a.created', ['blue']);
    await nextMillisecond(middle.timestamp);
    await send('c.created', ['red']);

    const all = await svix.message.list(app.id);
    assert.deepEqual(all.data.map((m) => m.id), [...ids].reverse());
    assert.equal(all.done, true);
    assert.deepEqual(all.data[0]!.payload, {}, 'no payload without withContent');
    assert.deepEqual((await svix.message.list(app.id, { withContent: true })).data.at(-1)!.payload, { i: 0 });

    const paged = await svix.message.list(app.id, { limit: 3 });
    assert.equal(paged.done, false);
    const rest = await svix.message.list(app.id, { limit: 3, iterator: paged.iterator });
    assert.deepEqual([...paged.data, ...rest.data].map((m) => m.id), [...ids].reverse());

    const aOnly = await svix.message.list(app.id, { eventTypes: ['a.created'] });
    assert.deepEqual(aOnly.data.map((m) => m.id), [ids[2], ids[0]]);
    const ab = await svix.message.list(app.id, { eventTypes: ['a.created', 'b.created'] });
    assert.deepEqual(ab.data.map((m) => m.id), [ids[2], ids[1], ids[0]]);
    const repeatedParam = await server.call('GET', `/api/v1/app/${app.id}/msg?event_types=a.created&event_types=b.created`);
    assert.equal(repeatedParam.status, 200, repeatedParam.text);
    assert.deepEqual(repeatedParam.json.data.map((m: { id: string }) => m.id), [ids[2], ids[1], ids[0]]);
    const red = await svix.message.list(app.id, { channel: 'red' });
    assert.deepEqual(red.data.map((m) => m.id), [ids[3], ids[0]]);

    const at = middle.timestamp.getTime();
    const before = await svix.message.list(app.id, { before: new Date(at) });
    assert.deepEqual(before.data.map((m) => m.id), [ids[1], ids[0]]);
    const afterIt = await svix.message.list(app.id, { after: new Date(at) });
    assert.deepEqual(afterIt.data.map((m) => m.id), [ids[3]]);
  });

  test('a duplicate eventId is a 409', async () => {
    const app = await newApp();
    const eventId = `once-${rnd()}`;
    await svix.message.create(app.id, { eventType: 'x.y', payload: {}, eventId });
    await apiError(svix.message.create(app.id, { eventType: 'x.y', payload: {}, eventId }), 409);
    assert.equal((await svix.message.list(app.id)).data.length, 1);
    await apiError(svix.message.create(app.id, { eventType: 'x.y', payload: {}, eventId: 'msg_prefixed' }), 422);
  });

  test('the same idempotency key creates one message', async () => {
    const app = await newApp();
    const idempotencyKey = `idem-${rnd()}`;
    const first = await svix.message.create(app.id, { eventType: 'idem.test', payload: { a: 1 } }, { idempotencyKey });
    const second = await svix.message.create(app.id, { eventType: 'idem.test', payload: { a: 1 } }, { idempotencyKey });
    assert.equal(second.id, first.id);
    const list = await svix.message.list(app.id, { eventTypes: ['idem.test'] });
    assert.deepEqual(list.data.map((m) => m.id), [first.id]);
    // Without a key (the client then sends a fresh auto_ key each time) two calls are two messages.
    await svix.message.create(app.id, { eventType: 'idem.test', payload: { a: 1 } });
    assert.equal((await svix.message.list(app.id, { eventTypes: ['idem.test'] })).data.length, 2);

    // Overlapping repeats (a retry while the first is still in flight) get the first one's message too.
    const overlapKey = `idem-${rnd()}`;
    const overlapping = await Promise.all(
      [1, 2, 3].map(() => svix.message.create(app.id, { eventType: 'idem.overlap', payload: {} }, { idempotencyKey: overlapKey })),
    );
    assert.equal(new Set(overlapping.map((m) => m.id)).size, 1);
    assert.equal((await svix.message.list(app.id, { eventTypes: ['idem.overlap'] })).data.length, 1);
  });

  test('a message for a missing app with `application` creates the app', async () => {
    const uid = `auto-${rnd()}`;
    const msg = await svix.message.create(uid, { eventType: 'x.y', payload: { hi: true }, application: { name: 'Auto', uid } });
    const app = await svix.application.get(uid);
    assert.equal(app.name, 'Auto');
    assert.equal((await svix.message.get(uid, msg.id)).id, msg.id);
    // Existing app: the application field is ignored.
    await svix.message.create(uid, { eventType: 'x.y', payload: {}, application: { name: 'Other', uid } });
    assert.equal((await svix.application.get(uid)).name, 'Auto');

    await apiError(svix.message.create(`missing-${rnd()}`, { eventType: 'x.y', payload: {} }), 404);
  });

  test('a rejected message with `application` creates no app either', async () => {
    const uid = `nope-${rnd()}`;
    await apiError(svix.message.create(uid, { eventType: 'x.y', payload: {}, eventId: 'msg_bad', application: { name: 'No', uid } }), 422);
    await apiError(svix.application.get(uid), 404);
  });
});

describe('attempts', () => {
  test('a delivered message shows up in every attempt listing; resend adds a manual attempt', async () => {
    const app = await newApp();
    const ep = await svix.endpoint.create(app.id, { url: server.receiver.url('/attempts'), headers: { 'X-Tenant': 'acme' } });
    const msg = await svix.message.create(app.id, { eventType: 'order.created', payload: { order: 42 } });
    await server.receiver.waitFor((r) => r.filter((x) => x.path === '/attempts').length >= 1, 10_000, 'the first delivery');
    const delivered = server.receiver.on('/attempts')[0]!;
    assert.equal(delivered.headers['webhook-id'], msg.id);
    assert.equal(delivered.headers['x-tenant'], 'acme');
    assert.deepEqual(JSON.parse(delivered.body.toString()), { order: 42 });
    // The secret getSecret hands out verifies the delivery with the svix library's own verifier.
    const secret = (await svix.endpoint.getSecret(app.id, ep.id)).key;
    new Webhook(secret).verify(delivered.body, delivered.headers as Record<string, string>);

    const byMsg = await waitUntil('the attempt to be recorded', async () => {
      const list = await svix.messageAttempt.listByMsg(app.id, msg.id);
      return list.data.length >= 1 && list;
    });
    const attempt = byMsg.data[0]!;
    assert.match(attempt.id, new RegExp(`^atmpt_${KSUID}$`));
    assert.equal(attempt.status, 0);
    assert.equal(attempt.statusText, 'success');
    assert.equal(attempt.responseStatusCode, 200);
    assert.equal(attempt.triggerType, 0);
    assert.equal(attempt.msgId, msg.id);
    assert.equal(attempt.endpointId, ep.id);
    assert.equal(attempt.url, server.receiver.url('/attempts'));
    assert.equal(typeof attempt.responseDurationMs, 'number');
    assert.ok(attempt.timestamp instanceof Date && !Number.isNaN(attempt.timestamp.getTime()));

    const byEndpoint = await svix.messageAttempt.listByEndpoint(app.id, ep.id);
    assert.deepEqual(byEndpoint.data.map((a) => a.id), [attempt.id]);
    const withMsg = await svix.messageAttempt.listByEndpoint(app.id, ep.id, { withMsg: true, withContent: true });
    assert.equal(withMsg.data[0]!.msg?.id, msg.id);
    assert.deepEqual(withMsg.data[0]!.msg?.payload, { order: 42 });
    assert.equal(withMsg.data[0]!.response, 'ok');
    assert.equal((await svix.messageAttempt.listByMsg(app.id, msg.id, { statusCodeClass: 200 })).data.length, 1);
    assert.equal((await svix.messageAttempt.listByMsg(app.id, msg.id, { statusCodeClass: 400 })).data.length, 0);
    assert.equal((await svix.messageAttempt.listByMsg(app.id, msg.id, { endpointId: ep.id })).data.length, 1);

    const one = await svix.messageAttempt.get(app.id, msg.id, attempt.id);
    assert.equal(one.id, attempt.id);
    assert.equal(one.statusText, 'success');
    await apiError(svix.messageAttempt.get(app.id, msg.id, 'atmpt_missing'), 404);

    const attempted = await svix.messageAttempt.listAttemptedMessages(app.id, ep.id);
    assert.equal(attempted.data.length, 1);
    assert.equal(attempted.data[0]!.id, msg.id);
    assert.equal(attempted.data[0]!.statusText, 'success');
    assert.equal(attempted.data[0]!.status, 0);
    assert.equal(attempted.data[0]!.eventType, 'order.created');

    const destinations = await svix.messageAttempt.listAttemptedDestinations(app.id, msg.id);
    assert.equal(destinations.data.length, 1);
    assert.equal(destinations.data[0]!.id, ep.id);
    assert.equal(destinations.data[0]!.url, server.receiver.url('/attempts'));
    assert.equal(destinations.data[0]!.statusText, 'success');

    assert.deepEqual(await svix.endpoint.getStats(app.id, ep.id), { success: 1, pending: 0, sending: 0, fail: 0, canceled: 0 });

    // What the API changes reaches the next delivery: new headers, a rotated secret (the old one still signs during grace).
    await svix.endpoint.patchHeaders(app.id, ep.id, { headers: { 'X-Tenant': 'globex' } });
    await svix.endpoint.rotateSecret(app.id, ep.id);
    const rotated = (await svix.endpoint.getSecret(app.id, ep.id)).key;
    const resent = await svix.messageAttempt.resend(app.id, msg.id, ep.id);
    assert.deepEqual(resent, {});
    await server.receiver.waitFor((r) => r.filter((x) => x.path === '/attempts').length >= 2, 10_000, 'the resend');
    const redelivered = server.receiver.on('/attempts')[1]!;
    assert.equal(redelivered.headers['x-tenant'], 'globex');
    new Webhook(rotated).verify(redelivered.body, redelivered.headers as Record<string, string>);
    new Webhook(secret).verify(redelivered.body, redelivered.headers as Record<string, string>);
    const both = await waitUntil('the manual attempt to be recorded', async () => {
      const list = await svix.messageAttempt.listByMsg(app.id, msg.id);
      return list.data.length >= 2 && list;
    });
    assert.deepEqual(both.data.map((a) => a.triggerType).sort(), [0, 1]);
    assert.equal(both.data[0]!.triggerType, 1, 'newest first');
    assert.ok(both.data.every((a) => a.statusText === 'success'));

    await apiError(svix.messageAttempt.resend(app.id, msg.id, 'ep_missing'), 404);
    await apiError(svix.messageAttempt.listByMsg(app.id, 'msg_missing'), 404);
  });
});

describe('health, auth and the OpenAPI document', () => {
  test('health.get works', async () => {
    await svix.health.get();
    const raw = await server.call('GET', '/api/v1/health', undefined, { authorization: '' });
    assert.ok(raw.status >= 200 && raw.status < 300);
  });

  test('a wrong token is a 401 with {code, detail}', async () => {
    const intruder = new Svix('not-the-admin-token-at-all', { serverUrl: server.herald.url });
    const body = await apiError(intruder.application.list(), 401);
    assert.ok(body.code.length > 0);
    await apiError(intruder.message.create('any', { eventType: 'x', payload: {} }), 401);
    const raw = await server.call('GET', '/api/v1/app', undefined, { authorization: '' });
    assert.equal(raw.status, 401);
    assert.equal(typeof raw.json.detail, 'string');
  });

  test('GET /api/v1/openapi.json is an OpenAPI 3.1 document with the app paths', async () => {
    const raw = await server.call('GET', '/api/v1/openapi.json', undefined, { authorization: '' });
    assert.equal(raw.status, 200);
    assert.match(raw.json.openapi, /^3\.1\./);
    assert.ok(raw.json.paths['/api/v1/app'], 'lists /api/v1/app');
    assert.ok(raw.json.paths['/api/v1/app/{app_id}'], 'lists /api/v1/app/{app_id}');
    assert.ok(raw.json.paths['/api/v1/app'].post, 'with its operations');
    assert.ok(raw.json.paths['/api/v1/app/{app_id}/msg'], 'and the message paths');
  });
});
