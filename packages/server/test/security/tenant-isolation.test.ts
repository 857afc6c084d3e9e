/**
 * Tenant isolation: a token scoped to application A walks every route of the API (as the OpenAPI document lists
 * them) pointed at application B's resources, by id and by uid. Nothing of B may be read, changed, or even confirmed
 * to exist: every answer must be byte-for-byte the answer for an application that does not exist, and B must be
 * exactly as it was afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, startTestHerald } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

type Herald = Awaited<ReturnType<typeof startTestHerald>>;
type Ids = Record<string, string>;

interface Route {
  method: string;
  template: string;
}

const fill = (template: string, ids: Ids) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = ids[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${template}`);
    return encodeURIComponent(value);
  });

async function call(base: string, token: string, route: Route, ids: Ids) {
  const hasBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
  const res = await fetch(base + fill(route.template, ids), {
    method: route.method,
    headers: { authorization: `Bearer ${token}`, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
    body: hasBody ? '{}' : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  // Streams (tail, listen) stay open when they are allowed: the status and headers are all this test needs.
  const text = res.headers.get('content-type')?.startsWith('text/event-stream') ? '' : await res.text();
  if (!text) await res.body?.cancel();
  return { status: res.status, text, contentType: res.headers.get('content-type') };
}

describe('tenant isolation', () => {
  let herald: Herald;
  let receiver: Receiver;
  let routes: Route[];
  const a: Ids = {};
  const b: Ids = {};
  let appToken = '';
  let readOnlyToken = '';

  /** Everything of B an admin can read, to compare before and after the walk. */
  async function snapshotOfB(): Promise<string> {
    const parts: unknown[] = [];
    for (const path of [
      `/api/v1/app/${b.app_id}`,
      `/api/v1/app/${b.app_id}/endpoint`,
      `/api/v1/app/${b.app_id}/endpoint/${b.endpoint_id}`,
      `/api/v1/app/${b.app_id}/endpoint/${b.endpoint_id}/secret`,
      `/api/v1/app/${b.app_id}/endpoint/${b.endpoint_id}/headers`,
      `/api/v1/app/${b.app_id}/msg?with_content=true`,
      `/api/v1/app/${b.app_id}/attempt/endpoint/${b.endpoint_id}`,
      `/api/v1/app/${b.app_id}/msg/${b.msg_id}/endpoint`,
      `/api/v1/app/${b.app_id}/destination`,
      `/api/v1/app/${b.app_id}/destination/${b.destination_id}/secret`,
      '/api/v1/event-type?include_archived=true&with_content=true',
    ]) {
      const res = await api(herald.url, 'GET', path);
      assert.equal(res.status, 200, path);
      parts.push(res.json);
    }
    return JSON.stringify(parts);
  }

  before(async () => {
    receiver = await Receiver.start();
    herald = await startTestHerald();
    await api(herald.url, 'POST', '/api/v1/event-type', { name: 'order.created', description: 'an order' });
    for (const [ids, uid] of [[a, 'tenant-a'], [b, 'tenant-b']] as const) {
      const app = await api(herald.url, 'POST', '/api/v1/app', { name: uid, uid });
      ids.app_id = app.json.id;
      ids.app_uid = uid;
      const endpoint = await api(herald.url, 'POST', `/api/v1/app/${uid}/endpoint`, {
        url: receiver.url(`/${uid}`), uid: 'hook', headers: { 'x-tenant-secret': `${uid}-header-value` },
      });
      ids.endpoint_id = endpoint.json.id;
      // The same uids in both applications: a uid must resolve inside the path's application only.
      const msg = await api(herald.url, 'POST', `/api/v1/app/${uid}/msg`, { eventType: 'order.created', eventId: 'evt-1', payload: { tenant: uid } });
      ids.msg_id = msg.json.id;
      const poller = await api(herald.url, 'POST', `/api/v1/app/${uid}/destination`, { type: 'pollingEndpoint', uid: 'feed' });
      ids.destination_id = ids.sink_id = poller.json.id;
      ids.consumer_id = 'reader';
    }
    await receiver.waitFor((r) => r.length >= 2);
    for (const ids of [a, b]) {
      await until('an attempt', async () => (await api(herald.url, 'GET', `/api/v1/app/${ids.app_id}/attempt/msg/${ids.msg_id}`)).json.data.length > 0);
      ids.attempt_id = (await api(herald.url, 'GET', `/api/v1/app/${ids.app_id}/attempt/msg/${ids.msg_id}`)).json.data[0].id;
      const task = await api(herald.url, 'POST', `/api/v1/app/${ids.app_id}/endpoint/${ids.endpoint_id}/recover`, { since: new Date(0).toISOString() });
      ids.task_id = task.json.id;
      Object.assign(ids, { event_type_name: 'order.created', name: 'laptop', token_id: 'tok_unknown', source_id: 'src_unknown', request_id: 'inreq_unknown' });
    }
    appToken = (await api(herald.url, 'POST', '/api/v1/token', { name: 'tenant a', scope: 'app', appId: a.app_id })).json.token;
    readOnlyToken = (await api(herald.url, 'POST', '/api/v1/token', { name: 'tenant a ro', scope: 'app', appId: a.app_id, readOnly: true })).json.token;

    const doc = (await api(herald.url, 'GET', '/api/v1/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(doc.paths).flatMap(([template, methods]) =>
      Object.keys(methods).filter((m) => m !== 'parameters').map((m) => ({ method: m.toUpperCase(), template })));
    routes.push({ method: 'GET', template: '/metrics' });
  });
  after(async () => {
    await herald.cleanup();
    await receiver.close();
  });

  it('walks every route of the API', () => {
    const appRoutes = routes.filter((r) => r.template.startsWith('/api/v1/app/{app_id}'));
    // A guard against a walk that silently covers nothing: the document lists the whole API.
    assert.ok(appRoutes.length >= 30, `only ${appRoutes.length} application routes in the OpenAPI document`);
    for (const needed of ['/api/v1/app/{app_id}/listen/{name}', '/api/v1/app/{app_id}/attempt/stream', '/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/resend']) {
      assert.ok(routes.some((r) => r.template === needed), `${needed} is walked`);
    }
  });

  for (const [label, token] of [['an application token', () => appToken], ['a read-only application token', () => readOnlyToken]] as const) {
    it(`${label} of A learns nothing of B on any route, by id or uid, and changes nothing`, async () => {
      const before = await snapshotOfB();
      const receivedBefore = receiver.on('/tenant-b').length;
      const missing = { ...b, app_id: 'app_3MmdwAXlM2Bwtc6ZMHvw85vfWue', app_uid: 'no-such-tenant' };
      let walked = 0;
      for (const route of routes) {
        if (!route.template.includes('{app_id}')) continue;
        const asIfMissing = await call(herald.url, token(), route, missing);
        // Routes under /api/v1/app answer "not found"; admin-only ones naming an application refuse it whichever it is.
        const expected = route.template.startsWith('/api/v1/app/') ? 404 : 403;
        assert.equal(asIfMissing.status, expected, `${route.method} ${route.template} for a missing application`);
        for (const ids of [b, { ...b, app_id: b.app_uid!, endpoint_id: 'hook', msg_id: 'evt-1', destination_id: 'feed', sink_id: 'feed' }]) {
          const res = await call(herald.url, token(), route, ids);
          assert.equal(res.status, expected, `${route.method} ${fill(route.template, ids)} answered ${res.status}: ${res.text}`);
          assert.equal(res.text, asIfMissing.text, `${route.method} ${route.template}: the answer differs from a missing application's`);
          assert.equal(res.contentType, asIfMissing.contentType);
          walked++;
        }
      }
      assert.ok(walked >= 60, `walked ${walked}`);
      // Global routes: the event catalogue is shared and readable; B's task is as missing as a task that does not exist.
      for (const route of routes) {
        if (route.template.includes('{app_id}')) continue;
        // Logout names no application and ends the calling token itself (tokens.test.ts): it would end this walk.
        if (route.template === '/api/v1/auth/logout') continue;
        const res = await call(herald.url, token(), route, b);
        if (route.method === 'GET' && route.template.startsWith('/api/v1/event-type')) {
          assert.equal(res.status, 200, `${route.method} ${route.template}`);
        } else if (route.template === '/api/v1/background-task/{task_id}') {
          const missingTask = await call(herald.url, token(), route, { task_id: 'qtask_3MmdwAXlM2Bwtc6ZMHvw85vfWue' });
          assert.equal(res.status, 404);
          assert.equal(res.text, missingTask.text);
        } else if (route.template === '/api/v1/health') {
          continue;
        } else if (route.template === '/api/v1/auth/me') {
          assert.equal(JSON.parse(res.text).appId, a.app_id, 'a token may ask who it is, and learns only its own application');
        } else {
          assert.equal(res.status, 403, `${route.method} ${route.template} answered ${res.status}: ${res.text}`);
        }
      }
      assert.equal(await snapshotOfB(), before, "B's data changed");
      assert.equal(receiver.on('/tenant-b').length, receivedBefore, 'something was sent to B\'s endpoint');
    });
  }

  it("the same token reads its own application's every GET route (the walk above is not refusing everything)", async () => {
    let read = 0;
    for (const route of routes) {
      if (route.method !== 'GET' || !route.template.startsWith('/api/v1/app/{app_id}') || route.template.endsWith('/listen/{name}')) continue;
      const res = await call(herald.url, appToken, route, a);
      // A's endpoint signs with HMAC: it has no public key, which is a real answer about a real endpoint.
      if (route.template.endsWith('/public-key')) {
        assert.match(res.text, /shared secret/);
        continue;
      }
      assert.equal(res.status, 200, `${route.method} ${fill(route.template, a)} answered ${res.status}: ${res.text}`);
      read++;
    }
    assert.ok(read >= 12, `read ${read} routes`);
    const task = await call(herald.url, appToken, { method: 'GET', template: '/api/v1/background-task/{task_id}' }, a);
    assert.equal(task.status, 200);
    // An application token cannot delete or rename its application, but may change what is in it.
    assert.equal((await call(herald.url, appToken, { method: 'DELETE', template: '/api/v1/app/{app_id}' }, a)).status, 403);
    const created = await api(herald.url, 'POST', `/api/v1/app/${a.app_id}/endpoint`, { url: 'https://example.com/a2' }, { authorization: `Bearer ${appToken}` });
    assert.equal(created.status, 201);
  });
});
