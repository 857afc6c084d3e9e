import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { api, startTestHerald, tempDir } from '../helpers/herald.ts';
import { casesFor, oddWritesFor, operationsOf, routeTable, type HostileCase, type Operation } from '../helpers/hostile-cases.ts';
import { PG_TEST_ENCRYPTION_KEY, PG_TEST_URL, dropSchema, postgresUnavailable, uniqueSchema } from '../helpers/pg.ts';
import { Receiver } from '../helpers/receiver.ts';

/**
 * Every route the server has × every class of bad input its own schemas imply (see helpers/hostile-cases.ts):
 * each answer is a JSON 4xx in Herald's error shape (odd but valid reads may be 2xx; nothing is ever a 5xx), the
 * server stays healthy, and not one row of the database changes. On SQLite and on PostgreSQL, whose text refuses
 * what SQLite takes (NUL).
 */

/** Every row of every table, as text: equal snapshots mean nothing stored changed. Rows are sorted as text (some tables have no rowid). */
type Snapshot = Map<string, string>;
const rowsAsText = (rows: unknown[]) => JSON.stringify(rows.map((row) => JSON.stringify(row)).sort());

function sqliteSnapshot(dataDir: string): Snapshot {
  const db = new Database(path.join(dataDir, 'herald.db'), { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    return new Map(tables.map(({ name }) => [name, rowsAsText(db.prepare(`SELECT * FROM "${name}"`).all())]));
  } finally {
    db.close();
  }
}

async function postgresSnapshot(schema: string): Promise<Snapshot> {
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  await client.connect();
  try {
    const tables = (await client.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [schema])).rows as { table_name: string }[];
    const out: Snapshot = new Map();
    for (const { table_name: name } of tables) out.set(name, rowsAsText((await client.query(`SELECT * FROM "${schema}"."${name}"`)).rows));
    return out;
  } finally {
    await client.end();
  }
}

const pgSkip = await postgresUnavailable();
const backends = [
  { name: 'sqlite', skip: false as string | false, postgres: false },
  { name: 'postgres', skip: pgSkip, postgres: true },
];

for (const backend of backends) describe(`hostile input on every route (${backend.name})`, { skip: backend.skip }, () => {

  let herald: Awaited<ReturnType<typeof startTestHerald>>;
  let receiver: Receiver;
  let dataDir: string;
  let schema: string;
  const snapshot = (): Promise<Snapshot> => (backend.postgres ? postgresSnapshot(schema) : Promise.resolve(sqliteSnapshot(dataDir)));
  /** The ids of one of each thing, for the path parameters of the routes. */
  const ids: Record<string, string> = {};
  let operationalEndpointId = '';

  async function ok(method: string, url: string, body?: unknown) {
    const res = await api(herald.url, method, url, body);
    assert.ok(res.status >= 200 && res.status < 300, `${method} ${url}: ${res.status} ${res.text}`);
    return res.json;
  }

  async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      const value = await probe();
      if (value !== undefined) return value;
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  before(async () => {
    dataDir = tempDir();
    schema = uniqueSchema('herald_hostile');
    receiver = await Receiver.start();
    herald = await startTestHerald({
      HERALD_DATA_DIR: dataDir,
      ...(backend.postgres ? { HERALD_DATABASE_URL: PG_TEST_URL, HERALD_DATABASE_SCHEMA: schema, HERALD_ENCRYPTION_KEY: PG_TEST_ENCRYPTION_KEY } : {}),
    });
    const app = await ok('POST', '/api/v1/app', { name: 'Hostile', uid: 'hostile' });
    await ok('POST', '/api/v1/event-type', { name: 'hostile.event', description: 'x' });
    const endpoint = await ok('POST', `/api/v1/app/${app.id}/endpoint`, { url: receiver.url('/hostile'), uid: 'hostile-ep', headers: { 'X-Env': 'test' } });
    const message = await ok('POST', `/api/v1/app/${app.id}/msg`, { eventType: 'hostile.event', eventId: 'hostile-event-1', payload: { n: 1 } });
    const attempt = await until('the attempt', async () => (await ok('GET', `/api/v1/app/${app.id}/attempt/msg/${message.id}`)).data[0]);
    const task = await ok('POST', `/api/v1/app/${app.id}/endpoint/${endpoint.id}/recover`, { since: new Date(Date.now() - 60_000).toISOString() });
    await until('the task to finish', async () => ((await ok('GET', `/api/v1/background-task/${task.id}`)).status === 'running' ? undefined : true));
    const token = await ok('POST', '/api/v1/token', { name: 'hostile', scope: 'read-only' });
    const source = await ok('POST', '/api/v1/source', { name: 'Hostile source', uid: 'hostile-src', verification: { type: 'none' } });
    assert.equal((await fetch(`${herald.url}/in/${source.id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' })).status, 200);
    const request = (await ok('GET', `/api/v1/source/${source.id}/request`)).data[0];
    operationalEndpointId = (await ok('POST', '/api/v1/operational-webhook/endpoint', { url: receiver.url('/operational') })).id;
    Object.assign(ids, {
      app_id: app.id, endpoint_id: endpoint.id, msg_id: message.id, attempt_id: attempt.id, task_id: task.id, token_id: token.id,
      source_id: source.id, request_id: request.id, event_type_name: 'hostile.event', name: 'hostile-listen',
    });
  });

  after(async () => {
    await herald.cleanup();
    await receiver.close();
    if (backend.postgres) await dropSchema(schema);
  });

  /** A snapshot once the seeding's own writes (the audit log is written after the answer) have landed. */
  async function settledSnapshot(): Promise<Snapshot> {
    let last = await snapshot();
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 250));
      const now = await snapshot();
      if (changedTables(last, now).length === 0) return now;
      last = now;
    }
    throw new Error(`the store kept changing: ${changedTables(last, await snapshot()).join(', ')}`);
  }

  function changedTables(before: Snapshot, after: Snapshot): string[] {
    return [...new Set([...before.keys(), ...after.keys()])].filter((t) => before.get(t) !== after.get(t));
  }

  /** What is wrong with an answer, or null when it is what a hostile request must get. */
  function problemWith(c: HostileCase, status: number, contentType: string, text: string): string | null {
    if (status >= 500) return `answered ${status}`;
    if (c.kind === 'bad' && status < 400) return `accepted it (${status})`;
    if (status === 204 || c.method === 'HEAD') return null;
    if (!contentType.includes('application/json')) return `answered ${status} as ${contentType || 'no content type'}`;
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      return `answered ${status} with a body that is not JSON`;
    }
    if (status === 422) {
      const items = body?.detail;
      if (!Array.isArray(items) || items.length === 0 || !items.every((i: any) => Array.isArray(i.loc) && typeof i.msg === 'string' && typeof i.type === 'string')) {
        return 'a 422 without detail: [{loc, msg, type}]';
      }
    } else if (status >= 400 && (typeof body?.code !== 'string' || typeof body?.detail !== 'string')) {
      return `a ${status} without {code, detail}`;
    }
    return null;
  }

  async function send(c: HostileCase): Promise<string | null> {
    try {
      const res = await fetch(herald.url + c.path, { method: c.method, headers: c.headers, body: c.body, signal: AbortSignal.timeout(15_000) });
      const text = await res.text();
      return problemWith(c, res.status, res.headers.get('content-type') ?? '', text);
    } catch (err) {
      return `no answer: ${(err as Error).message}`;
    }
  }

  /** Runs the cases a few at a time (a loaded CI machine has two cores) and lists every one that went wrong. */
  async function sweep(cases: HostileCase[]): Promise<string[]> {
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        const problem = await send(c);
        if (problem) failures.push(`${c.operation} — ${c.what}: ${problem}`);
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    return failures;
  }

  /** The path values for an operation: the operational webhook routes name endpoints of their own application. */
  const idsFor = (op: Operation) => (op.route.startsWith('/api/v1/operational-webhook/') ? { ...ids, endpoint_id: operationalEndpointId } : ids);

  function documentedOperations(): Operation[] {
    return operationsOf(herald.server!.swagger() as Parameters<typeof operationsOf>[0]);
  }

  test('the OpenAPI document covers every API route the server routes', () => {
    const documented = new Set(documentedOperations().map((op) => `${op.method} ${op.route}`));
    const routed = routeTable(herald.server!.printRoutes({ commonPrefix: false })).filter((r) => r.method !== 'HEAD');
    assert.ok(routed.length > 50, `the route table was read (${routed.length} routes)`);
    const undocumented = routed.map((r) => `${r.method} ${r.route}`).filter((r) => !documented.has(r));
    // These are not part of the JSON API: the document itself, Prometheus' scrape, the inbound URL, the dashboard and
    // the redirect to it from /.
    assert.deepEqual(
      undocumented.filter((r) => !/^GET \/api\/v1\/openapi\.json$|^GET \/metrics$|^\w+ \/in\/:source$|^GET \/ui|^GET \/$/.test(r)),
      [],
      'an API route missing from the OpenAPI document would be missed by the sweep',
    );
  });

  test('every documented operation × bad input: a JSON 4xx, the server healthy, nothing stored changed', { timeout: 120_000 }, async () => {
    const operations = documentedOperations();
    assert.ok(operations.length > 50, `${operations.length} operations`);
    const cases = operations.flatMap((op) =>
      casesFor(op, idsFor(op), herald.token));
    const before = await settledSnapshot();

    const started = Date.now();
    const failures = await sweep(cases);
    const took = Date.now() - started;
    assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases went wrong`);
    assert.equal((await api(herald.url, 'GET', '/api/v1/health')).status, 204, 'healthy afterwards');
    assert.deepEqual(changedTables(before, await snapshot()), [], 'no table changed');
    process.stdout.write(`# ${cases.length} hostile cases over ${operations.length} operations in ${took} ms\n`);
  });

  test('the routes outside the document: the inbound URL and the metrics scrape', async () => {
    const routed = routeTable(herald.server!.printRoutes({ commonPrefix: false }));
    const inbound = routed.filter((r) => r.route === '/in/:source' && r.method !== 'HEAD');
    assert.ok(inbound.length >= 5, 'the inbound URL takes every method');
    const cases: HostileCase[] = [];
    for (const { method, route } of inbound) {
      for (const source of ['src_2ZZZZZZZZZZZZZZZZZZZZZZZZZZ', 'no-such-source', 'bad%20id!', 'x'.repeat(301), '%FF', '%00']) {
        const body = method === 'GET' || method === 'DELETE' ? undefined : '{"a":1}';
        cases.push({ operation: `${method} ${route}`, what: `source ${source.slice(0, 20)}`, method, path: route.replace(':source', source), headers: { 'content-type': 'application/json' }, body, kind: 'bad' });
      }
    }
    for (const authorization of ['', 'Bearer wrong-token-0123456789']) {
      cases.push({ operation: 'GET /metrics', what: `authorization "${authorization.slice(0, 12)}"`, method: 'GET', path: '/metrics', headers: { authorization }, kind: 'bad' });
    }
    const before = await settledSnapshot();
    assert.deepEqual(await sweep(cases), []);
    assert.deepEqual(changedTables(before, await snapshot()), []);
  });

  test('an inbound body holding a NUL byte is stored and forwarded byte for byte', async () => {
    const source = await ok('GET', `/api/v1/source/${ids['source_id']}`);
    await ok('POST', `/api/v1/app/${source.appId}/endpoint`, { url: receiver.url('/nul') });
    const body = Buffer.from('{"note":"a\u0000b"}');
    const res = await fetch(`${herald.url}/in/${source.id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Uint8Array(body) });
    assert.equal(res.status, 200, await res.text());
    await until('the forward', async () => (receiver.on('/nul').length > 0 ? true : undefined));
    assert.deepEqual(receiver.on('/nul')[0]!.body, body);
  });

  // Last: these may succeed, and change what is stored.
  test('odd but valid writes to every operation never answer 5xx', { timeout: 120_000 }, async () => {
    const cases = documentedOperations().flatMap((op) =>
      oddWritesFor(op, idsFor(op), herald.token));
    assert.ok(cases.length > 50, `${cases.length} cases`);
    assert.deepEqual(await sweep(cases), []);
    assert.equal((await api(herald.url, 'GET', '/api/v1/health')).status, 204, 'healthy afterwards');
  });
});
